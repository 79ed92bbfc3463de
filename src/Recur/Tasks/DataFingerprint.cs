using System.Security.Cryptography;

namespace Recur.Tasks;

/// <summary>
/// Which file a model was trained or validated on, so that a later run can tell whether it changed: its path as given,
/// size, last write time and SHA-256 (of the bytes on disk, compressed or not), and the records read from it.
/// </summary>
/// <param name="Role">What the file was for: <c>train</c>, <c>valid</c>, or <c>train+valid</c> when one file was split.</param>
/// <param name="Path">The path as given on the command line (resolved to a full path).</param>
/// <param name="Bytes">Size on disk.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the file's bytes.</param>
/// <param name="Records">Records (texts, sentences, characters for a language model) read from it.</param>
public sealed record DataFingerprint(string Role, string Path, long Bytes, string Sha256, long Records)
{
    /// <summary>Fingerprints <paramref name="path"/> (reads it once).</summary>
    public static DataFingerprint Of(string role, string path, long records)
    {
        var info = new FileInfo(path);
        using var stream = info.OpenRead();
        string sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new DataFingerprint(role, info.FullName, info.Length, sha, records);
    }

    /// <summary>Whether the file at <see cref="Path"/> still has these bytes (size first, then the hash).</summary>
    public bool Matches()
    {
        var info = new FileInfo(Path);
        if (!info.Exists || info.Length != Bytes) return false;
        using var stream = info.OpenRead();
        return Convert.ToHexStringLower(SHA256.HashData(stream)) == Sha256;
    }
}
