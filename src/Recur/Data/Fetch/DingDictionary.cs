using Recur.Data.Formats;

namespace Recur.Data.Fetch;

/// <summary>
/// The Ding German-English dictionary (Frank Richter, TU Chemnitz; GPL-2+), Debian package trans-de-en: lines
/// "German :: English" with " | " separated aligned parts. Not bundled; <see cref="Fetch"/> uses the installed
/// /usr/share/trans/de-en when present, else downloads the package with <c>apt-get download</c> (no root needed)
/// into the cache and unpacks it with <c>dpkg-deb -x</c>.
/// </summary>
public static class DingDictionary
{
    /// <summary>Where the Debian package installs the dictionary.</summary>
    public const string SystemPath = "/usr/share/trans/de-en";

    /// <summary>Returns the path of the de-en file, fetching the package into the cache when needed.</summary>
    /// <exception cref="FetchException">apt-get or dpkg-deb is missing (not a Debian-based system) or failed.</exception>
    public static string Fetch(string? cacheRoot = null, bool preferInstalled = true)
    {
        if (preferInstalled && File.Exists(SystemPath)) return SystemPath;
        string dir = Path.Combine(cacheRoot ?? DataCache.Root, "trans-de-en");
        string file = Path.Combine(dir, "root", "usr", "share", "trans", "de-en");
        if (File.Exists(file)) return file;
        Directory.CreateDirectory(dir);
        const string hint = "This needs a Debian-based system with apt-get and dpkg-deb (and `apt-get update` run once), or install the package: apt-get install trans-de-en.";
        PackageTool.Run("apt-get", ["download", "trans-de-en"], dir, "fetching the Ding dictionary (Debian trans-de-en)", hint);
        var deb = Directory.GetFiles(dir, "trans-de-en_*.deb").Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new FetchException($"fetching trans-de-en: apt-get download left no trans-de-en_*.deb in {dir}");
        PackageTool.Run("dpkg-deb", ["-x", deb, Path.Combine(dir, "root")], dir, "unpacking trans-de-en", hint);
        File.Delete(deb);
        if (!File.Exists(file)) throw new FetchException($"unpacking {deb}: it has no usr/share/trans/de-en");
        return file;
    }

    /// <summary>German-English pairs of the dictionary (parts without a translation on one side are left out).</summary>
    public static List<SentencePair> Read(string path, bool englishToGerman = false)
        => SentencePairReader.ReadDing(path, englishToGerman, skipUntranslatedParts: true);
}
