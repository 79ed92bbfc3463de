namespace Recur.Data.Bundled;

/// <summary>
/// Locates the repository's <c>data/</c> folder (the one holding <c>data/README.md</c>) and names the bundled
/// files in it. <see cref="Locate"/> uses the environment variable <c>RECUR_DATA</c> when set, else walks up from
/// the application's base directory, then from the current directory. Source, licence and checksums of each file
/// are in data/README.md; loaders are in <see cref="BundledDatasets"/>.
/// </summary>
public sealed class BundledData
{
    /// <summary>Environment variable that overrides the search: the path of the data folder.</summary>
    public const string EnvironmentVariable = "RECUR_DATA";

    /// <summary>Uses <paramref name="root"/> as the data folder; it must contain README.md.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder or its README.md is missing.</exception>
    public BundledData(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!System.IO.File.Exists(Path.Combine(root, "README.md")))
            throw new DirectoryNotFoundException($"{root} is not a Recur data folder: it has no README.md");
        Root = Path.GetFullPath(root);
    }

    /// <summary>The data folder.</summary>
    public string Root { get; }

    /// <summary>Moby Dick, chapters 1–135, plain UTF-8, gzipped (~1.2 M characters).</summary>
    public string MobyDick => PathOf("text", "moby-dick.txt.gz");

    /// <summary>UCI Sentiment Labelled Sentences: TSV with header text, label (0/1), source (imdb/amazon/yelp); 3,000 rows.</summary>
    public string SentimentSentences => PathOf("text", "sentiment-labelled-sentences.tsv");

    /// <summary>CMU Pronouncing Dictionary: lines "WORD  PH1 PH2 ...", gzipped; 133,784 entries.</summary>
    public string CmuDict => PathOf("text", "cmudict.txt.gz");

    /// <summary>Yearly sunspot numbers 1700–2008 (YEAR, SUNACTIVITY); 309 rows.</summary>
    public string Sunspots => PathOf("timeseries", "sunspots.csv");

    /// <summary>Weekly Mauna Loa CO2 1958–2001 (date yyyyMMdd, co2, 59 missing); 2,284 rows.</summary>
    public string Co2 => PathOf("timeseries", "co2.csv");

    /// <summary>US quarterly macroeconomic data 1959–2009 (year, quarter, 12 series); 203 rows.</summary>
    public string Macrodata => PathOf("timeseries", "macrodata.csv");

    /// <summary>Monthly El Niño sea surface temperatures 1950–2010, one row per year (YEAR, JAN..DEC); 61 rows.</summary>
    public string Elnino => PathOf("timeseries", "elnino.csv");

    /// <summary>Yearly Nile flow at Aswan 1871–1970 (year, volume); 100 rows.</summary>
    public string Nile => PathOf("timeseries", "nile.csv");

    /// <summary>scikit-learn's 8x8 digits: gzipped CSV, 64 pixel values 0–16 then the digit; 1,797 rows.</summary>
    public string Digits => PathOf("images", "digits.csv.gz");

    /// <summary>Finds the data folder (see the class remarks).</summary>
    /// <exception cref="DirectoryNotFoundException">No data folder was found; the message lists where it looked.</exception>
    public static BundledData Locate()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) return new BundledData(env);
        var tried = new List<string>();
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data");
                if (System.IO.File.Exists(Path.Combine(candidate, "README.md"))) return new BundledData(candidate);
            }
            tried.Add(start);
        }
        throw new DirectoryNotFoundException(
            $"no data/README.md found above {string.Join(" or ", tried)}; set {EnvironmentVariable} to the data folder");
    }

    private string PathOf(string folder, string name)
    {
        var path = Path.Combine(Root, folder, name);
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"bundled file {folder}/{name} is missing from {Root} (rebuild with data/scripts/fetch_bundled.sh)", path);
        return path;
    }
}
