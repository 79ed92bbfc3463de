using Recur.Data.Files;

namespace Recur.Data.Bundled;

/// <summary>Loaders for the bundled datasets, each returning the documented content (counts in data/README.md).</summary>
public static class BundledDatasets
{
    /// <summary>The full Moby Dick text as one string (≈1.2 M characters; for streaming use <see cref="CodePointReader"/> on <see cref="BundledData.MobyDick"/>).</summary>
    public static string MobyDickText(BundledData? data = null) => DataFile.ReadAllText((data ?? BundledData.Locate()).MobyDick);
}
