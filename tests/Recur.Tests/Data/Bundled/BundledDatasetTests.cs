using Recur.Data.Bundled;
using Recur.Data.Formats;
using Recur.Data.TimeSeries;

namespace Recur.Tests.Data.Bundled;

public class BundledDatasetTests
{
    private static readonly BundledData Data = BundledData.Locate();

    [Fact]
    public void Sentiment_sentences_have_3000_balanced_rows()
    {
        var all = BundledDatasets.SentimentSentences(data: Data);
        Assert.Equal(3000, all.Count);
        Assert.Equal(1500, all.Count(s => s.Label == "1"));
        Assert.All(all, s => Assert.False(string.IsNullOrWhiteSpace(s.Text)));
        var yelp = BundledDatasets.SentimentSentences("yelp", Data);
        Assert.Equal(1000, yelp.Count);
        Assert.Equal("Wow... Loved this place.", yelp[0].Text);
        Assert.Equal(["0", "1"], LabelEncoder.Fit(all).Classes);
    }

    [Fact]
    public void Cmu_dictionary_has_133784_pronunciations()
    {
        var entries = BundledDatasets.CmuDict(Data);
        Assert.Equal(133_784, entries.Count);
        Assert.Equal(125_005, entries.Select(e => e.Word).Distinct().Count());
        var aardvark = entries.Single(e => e.Word == "AARDVARK");
        Assert.Equal(["AA1", "R", "D", "V", "AA2", "R", "K"], aardvark.Phonemes);
    }

    [Fact]
    public void Digits_are_1797_images_of_64_pixels()
    {
        var digits = BundledDatasets.Digits(Data);
        Assert.Equal(1797, digits.Count);
        Assert.Equal([1797, 64], digits.Pixels.Shape.ToArray());
        Assert.Equal(Enumerable.Range(0, 10), digits.Labels.Distinct().Order());
        Assert.Equal(0, digits.Labels[0]);
        Assert.Equal(5f / 16, digits.Pixels[0, 2]);
        Assert.All(digits.Pixels.ToArray(), p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void Time_series_have_the_documented_lengths_and_dates()
    {
        var sun = BundledDatasets.Sunspots(Data);
        Assert.Equal((309, 1), (sun.Length, sun.Features));
        Assert.Equal(new DateTime(1700, 1, 1), sun.Dates![0]);
        Assert.Equal(2.9, sun[308, 0]);

        var co2 = BundledDatasets.Co2(data: Data);
        Assert.Equal(2284, co2.Length);
        Assert.All(co2.Values, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(2284 - 59, BundledDatasets.Co2(MissingValues.DropRows, Data).Length);
        Assert.Throws<Recur.Data.Files.DataFormatException>(() => BundledDatasets.Co2(MissingValues.Error, Data));

        var macro = BundledDatasets.Macrodata(Data);
        Assert.Equal((203, 12), (macro.Length, macro.Features));
        Assert.Equal("realgdp", macro.Names[0]);
        Assert.Equal(new DateTime(2009, 7, 1), macro.Dates![^1]);

        var nino = BundledDatasets.Elnino(Data);
        Assert.Equal(732, nino.Length);
        Assert.Equal(new DateTime(1950, 2, 1), nino.Dates![1]);
        Assert.Equal(24.2, nino[1, 0]);

        var nile = BundledDatasets.Nile(Data);
        Assert.Equal(100, nile.Length);
        Assert.Equal(1120, nile[0, 0]);
        Assert.Equal(new DateTime(1970, 1, 1), nile.Dates![^1]);
    }

    [Fact]
    public void Locate_honours_the_environment_variable_and_explains_failure()
    {
        Assert.True(File.Exists(Path.Combine(Data.Root, "README.md")));
        var e = Assert.Throws<DirectoryNotFoundException>(() => new BundledData(Path.GetTempPath()));
        Assert.Contains("no README.md", e.Message);
    }
}
