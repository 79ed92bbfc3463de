using System.Globalization;
using Recur.Training;
using CliHistory = Recur.Cli.Inputs.TrainingHistory;

namespace Recur.Tests.Training;

public class TrainingHistoryCsvTests
{
    // Values that 6 significant digits (the old format) would have changed, and every non-finite kind.
    private static readonly double[] Tricky = [0.1, 1.0 / 3, 0.000123456789012345, 1e-300, 123456789.125, 0.05000000074505806, (double)0.1f];

    private static TrainingHistory History()
    {
        var h = new TrainingHistory();
        h.Add(new EpochRecord(1, 0.25, new Dictionary<string, double> { ["loss"] = Tricky[0], ["lr"] = Tricky[5], ["val_loss"] = double.NaN }));
        h.Add(new EpochRecord(2, 1.5, new Dictionary<string, double> { ["loss"] = Tricky[1], ["lr"] = Tricky[6], ["val_loss"] = double.PositiveInfinity }));
        h.Add(new EpochRecord(3, 2, new Dictionary<string, double> { ["loss"] = Tricky[2], ["lr"] = Tricky[3], ["val_loss"] = double.NegativeInfinity }));
        h.Add(new EpochRecord(4, 3, new Dictionary<string, double> { ["loss"] = Tricky[4] })); // lr and val_loss missing
        return h;
    }

    [Fact]
    public void Csv_writes_round_trip_values_and_nan_inf_as_keras_does()
    {
        Assert.Equal(
            "epoch,seconds,loss,lr,val_loss\n" +
            "1,0.25,0.1,0.05000000074505806,nan\n" +
            "2,1.50,0.3333333333333333,0.10000000149011612,inf\n" +
            "3,2.00,0.000123456789012345,1E-300,-inf\n" +
            "4,3.00,123456789.125,,\n",
            History().ToCsv());
    }

    [Fact]
    public void Every_value_reads_back_bit_for_bit_under_any_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        // A decimal comma and other symbols (as de-DE has; built by hand, the tests may run without culture data).
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NaNSymbol = "n. def.";
        comma.NumberFormat.PositiveInfinitySymbol = "∞";
        CultureInfo.CurrentCulture = comma;
        try
        {
            var history = History();
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.CurrentCulture)); // the culture is in effect
            var rows = history.ToCsv().TrimEnd('\n').Split('\n').Skip(1).Select(r => r.Split(',')).ToArray();
            var columns = history.Columns;
            for (int e = 0; e < history.Epochs.Count; e++)
                for (int c = 2; c < columns.Count; c++)
                {
                    string cell = rows[e][c];
                    if (!history.Epochs[e].Values.TryGetValue(columns[c], out double expected)) { Assert.Equal("", cell); continue; }
                    double parsed = cell switch
                    {
                        "nan" => double.NaN,
                        "inf" => double.PositiveInfinity,
                        "-inf" => double.NegativeInfinity,
                        _ => double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture),
                    };
                    Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(parsed));
                }
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void The_cli_reader_reads_the_written_history_back_exactly()
    {
        string dir = Path.Combine(Path.GetTempPath(), "recur-history-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var history = History();
            history.SaveCsv(Path.Combine(dir, CliHistory.FileName));
            var read = CliHistory.Beside(Path.Combine(dir, "last.safetensors"))!;
            Assert.Equal(history.Columns, read.Columns);
            int loss = read.IndexOf("loss"), lr = read.IndexOf("lr"), val = read.IndexOf("val_loss");
            Assert.Equal([Tricky[0], Tricky[1], Tricky[2], Tricky[4]], Enumerable.Range(0, 4).Select(r => read.Value(r, loss)));
            Assert.Equal([Tricky[5], Tricky[6], Tricky[3]], Enumerable.Range(0, 3).Select(r => read.Value(r, lr)));
            Assert.Equal(["nan", "inf", "-inf", ""], Enumerable.Range(0, 4).Select(r => read.Rows[r][val])); // what a NaN below was
            Assert.True(double.IsNaN(read.Value(0, val)));
            Assert.Equal(double.PositiveInfinity, read.Value(1, val));
            Assert.Equal(double.NegativeInfinity, read.Value(2, val));
            Assert.True(double.IsNaN(read.Value(3, val))); // missing
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
