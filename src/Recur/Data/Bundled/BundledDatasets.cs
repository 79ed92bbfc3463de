using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Data.TimeSeries;

namespace Recur.Data.Bundled;

/// <summary>
/// Loaders for the bundled datasets (files located by <see cref="BundledData"/>; counts as in data/README.md).
/// Each takes an optional <see cref="BundledData"/>; without it the data folder is located automatically.
/// </summary>
public static class BundledDatasets
{
    /// <summary>The Moby Dick text as one string (1,190,317 characters); to stream it, use <see cref="CodePointReader"/> on <see cref="BundledData.MobyDick"/>.</summary>
    public static string MobyDickText(BundledData? data = null) => DataFile.ReadAllText(Resolve(data).MobyDick);

    /// <summary>
    /// The 3,000 UCI sentiment sentences (label "0" negative, "1" positive), or the 1,000 of one
    /// <paramref name="source"/> ("imdb", "amazon" or "yelp").
    /// </summary>
    public static List<LabelledText> SentimentSentences(string? source = null, BundledData? data = null)
    {
        if (source is not null && source is not ("imdb" or "amazon" or "yelp"))
            throw new ArgumentException($"source \"{source}\" is not one of imdb, amazon, yelp", nameof(source));
        var file = DelimitedFile.Read(Resolve(data).SentimentSentences, DelimitedOptions.Tsv);
        int text = file.Column("text"), label = file.Column("label"), from = file.Column("source");
        return file.Rows.Where(r => source is null || r.Fields[from] == source)
            .Select(r => new LabelledText(r.Fields[text], r.Fields[label], r.Line)).ToList();
    }

    /// <summary>The CMU Pronouncing Dictionary: 133,784 pronunciations of 125,005 spellings.</summary>
    public static List<Pronunciation> CmuDict(BundledData? data = null) => PronunciationReader.ReadCmuDict(Resolve(data).CmuDict);

    /// <summary>The 1,797 8x8 digit images, pixels scaled to [0, 1], labels 0–9.</summary>
    public static ImageDataset Digits(BundledData? data = null) => ImageDataset.ReadCsv(Resolve(data).Digits);

    /// <summary>Yearly sunspot activity 1700–2008: 309 rows, column "SUNACTIVITY", dated 1 January of each year.</summary>
    public static Series Sunspots(BundledData? data = null)
        => TimeSeriesCsv.Read(Resolve(data).Sunspots, new TimeSeriesCsvOptions { DateColumn = "YEAR", DateFormats = ["yyyy"] });

    /// <summary>Weekly Mauna Loa CO2 (ppm), 29 March 1958 – 29 December 2001: 2,284 rows of which 59 are missing, handled by <paramref name="missing"/> (default: interpolated).</summary>
    public static Series Co2(MissingValues missing = MissingValues.Interpolate, BundledData? data = null)
        => TimeSeriesCsv.Read(Resolve(data).Co2, new TimeSeriesCsvOptions { DateColumn = "date", DateFormats = ["yyyyMMdd"], Missing = missing });

    /// <summary>Yearly Nile flow at Aswan 1871–1970: 100 rows, column "volume".</summary>
    public static Series Nile(BundledData? data = null)
        => TimeSeriesCsv.Read(Resolve(data).Nile, new TimeSeriesCsvOptions { DateColumn = "year", DateFormats = ["yyyy"] });

    /// <summary>US quarterly macroeconomic data 1959Q1–2009Q3: 203 rows of the 12 series (realgdp … realint), dated on the first day of each quarter.</summary>
    public static Series Macrodata(BundledData? data = null)
    {
        var all = TimeSeriesCsv.Read(Resolve(data).Macrodata);
        var year = all.Column("year");
        var quarter = all.Column("quarter");
        var dates = new DateTime[all.Length];
        for (int t = 0; t < dates.Length; t++) dates[t] = new DateTime((int)year[t], 3 * (int)quarter[t] - 2, 1);
        var values = all.Select([.. all.Names.Where(n => n is not ("year" or "quarter"))]);
        return new Series(values.Values, values.Names, dates);
    }

    /// <summary>Monthly El Niño sea surface temperature 1950–2010 reshaped from one row per year to 732 monthly rows, column "temperature".</summary>
    public static Series Elnino(BundledData? data = null)
    {
        string path = Resolve(data).Elnino;
        var wide = TimeSeriesCsv.Read(path, new TimeSeriesCsvOptions { DateColumn = "YEAR", DateFormats = ["yyyy"] });
        if (wide.Features != 12) throw new DataFormatException(DataFile.DisplayName(path), 1, $"expected 12 monthly columns, got {wide.Features}");
        var dates = new DateTime[wide.Length * 12];
        for (int y = 0; y < wide.Length; y++)
            for (int m = 0; m < 12; m++) dates[y * 12 + m] = wide.Dates![y].AddMonths(m);
        // Row-major [years, 12] is already the monthly order.
        return new Series((double[])wide.Values.Clone(), ["temperature"], dates);
    }

    private static BundledData Resolve(BundledData? data) => data ?? BundledData.Locate();
}
