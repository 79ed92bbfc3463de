using Recur.Data.Files;
using Recur.Data.TimeSeries;

namespace Recur.Tests.Data.TimeSeries;

public class TimeSeriesCsvTests
{
    private const string Csv = "date,temp,rain\n2020-01-01,1.5,0\n2020-01-02,,2\n2020-01-03,3.5,NA\n2020-01-04,4.5,6\n";

    [Fact]
    public void Dates_and_columns_are_read_and_missing_values_are_errors_by_default()
    {
        using var dir = new TempDir();
        var path = dir.Write("w.csv", Csv);
        var e = Assert.Throws<DataFormatException>(() => TimeSeriesCsv.Read(path, new TimeSeriesCsvOptions { DateColumn = "date" }));
        Assert.StartsWith("w.csv:3: column \"temp\" is missing", e.Message);
        var ok = dir.Write("ok.csv", "date,temp\n2020-01-01,1\n2020-01-02,2\n");
        var s = TimeSeriesCsv.Read(ok, new TimeSeriesCsvOptions { DateColumn = "date", DateFormats = ["yyyy-MM-dd"] });
        Assert.Equal(["temp"], s.Names);
        Assert.Equal([1.0, 2.0], s.Values);
        Assert.Equal(new DateTime(2020, 1, 2), s.Dates![1]);
    }

    [Fact]
    public void Missing_values_can_be_dropped_or_interpolated()
    {
        using var dir = new TempDir();
        var path = dir.Write("w.csv", Csv);
        var dropped = TimeSeriesCsv.Read(path, new TimeSeriesCsvOptions { DateColumn = "date", Missing = MissingValues.DropRows });
        Assert.Equal(2, dropped.Length);
        Assert.Equal([1.5, 0, 4.5, 6], dropped.Values);
        Assert.Equal(new DateTime(2020, 1, 4), dropped.Dates![1]);

        var filled = TimeSeriesCsv.Read(path, new TimeSeriesCsvOptions { DateColumn = "date", Missing = MissingValues.Interpolate });
        Assert.Equal([1.5, 2.5, 3.5, 4.5], filled.Column("temp"));
        Assert.Equal([0, 2, 4, 6], filled.Column("rain"));

        var edge = dir.Write("edge.csv", "x\n1\n2\n\"\"\n");
        Assert.StartsWith("edge.csv:4: column \"x\" ends with a missing value", Assert.Throws<DataFormatException>(() => TimeSeriesCsv.Read(edge, new TimeSeriesCsvOptions { Missing = MissingValues.Interpolate })).Message);
    }

    [Fact]
    public void Bad_numbers_dates_and_order_name_file_line_and_column()
    {
        using var dir = new TempDir();
        var num = dir.Write("n.csv", "d,x\n2020-01-01,1\n2020-01-02,abc\n");
        Assert.Equal("n.csv:3: column \"x\": \"abc\" is not a number", Assert.Throws<DataFormatException>(() => TimeSeriesCsv.Read(num, new TimeSeriesCsvOptions { DateColumn = "d" })).Message);
        var date = dir.Write("d.csv", "d,x\n20200101,1\n2020013,2\n");
        Assert.StartsWith("d.csv:3: column \"d\": \"2020013\" is not a date in the format yyyyMMdd", Assert.Throws<DataFormatException>(() => TimeSeriesCsv.Read(date, new TimeSeriesCsvOptions { DateColumn = "d", DateFormats = ["yyyyMMdd"] })).Message);
        var order = dir.Write("o.csv", "d,x\n2020-01-02,1\n2020-01-01,2\n");
        Assert.Contains("o.csv:3: date 2020-01-01 comes before", Assert.Throws<DataFormatException>(() => TimeSeriesCsv.Read(order, new TimeSeriesCsvOptions { DateColumn = "d" })).Message);
        var ragged = dir.Write("r.csv", "d,x\n2020-01-01,1\n2020-01-02\n");
        Assert.Equal("r.csv:3: expected 2 fields (as in the header), got 1", Assert.Throws<DataFormatException>(() => TimeSeriesCsv.Read(ragged)).Message);
    }
}
