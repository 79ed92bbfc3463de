using System.Buffers.Binary;
using System.Text;
using Recur.IO.Safetensors;
using Recur.Tensors;

namespace Recur.Tests.IO;

/// <summary>
/// Thousands of mutated files (seeded, deterministic): opening and reading them either works or throws
/// <see cref="SafetensorsFormatException"/>; no other exception, no hang.
/// </summary>
public class SafetensorsFuzzTests
{
    private const int Cases = 6000;

    private static byte[] Base() => new SafetensorsWriter()
        .Add("weight_ih_l0", Fixtures.Ramp(8, 3))
        .Add("h", Fixtures.Ramp(5), SafetensorsDType.F16)
        .Add("b", Fixtures.Ramp(2, 3), SafetensorsDType.BF16)
        .Add("d", Fixtures.Ramp(3), SafetensorsDType.F64)
        .Add("s", Tensor.FromValues([2f]))
        .Add("e", new Tensor(0, 2))
        .AddInt64("lengths", [3, 1, 2], 3)
        .AddInt32("ids", [4, 5], 2)
        .AddMetadata("format", "pt")
        .ToBytes();

    /// <summary>Mutation <paramref name="kind"/> of <paramref name="file"/>; header edits rewrite the length prefix so the JSON is parsed.</summary>
    private static byte[] Mutate(byte[] file, Random rng, int kind)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        byte[] bytes = (byte[])file.Clone();
        switch (kind)
        {
            case 0: // bit flips anywhere
                for (int i = rng.Next(1, 5); i > 0; i--) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                return bytes;
            case 1: // bit flips in the length prefix and header
                for (int i = rng.Next(1, 4); i > 0; i--) bytes[rng.Next(8 + headerLength)] ^= (byte)(1 << rng.Next(8));
                return bytes;
            case 2: // truncation
                return bytes[..rng.Next(bytes.Length)];
            case 3: // a number in the header replaced by another, possibly huge, negative or fractional
            {
                string header = Encoding.UTF8.GetString(bytes, 8, headerLength);
                var numbers = System.Text.RegularExpressions.Regex.Matches(header, "[0-9]+");
                var m = numbers[rng.Next(numbers.Count)];
                string[] replacements = ["0", "1", "7", "-1", "4294967296", "9223372036854775807", "99999999999999999999", "1e3", "2.5", "", "1,2", "[]", "null"];
                string value = rng.Next(3) == 0 ? rng.Next(0, 2000).ToString() : replacements[rng.Next(replacements.Length)];
                return WithHeader(bytes, headerLength, header[..m.Index] + value + header[(m.Index + m.Length)..]);
            }
            case 4: // a structural character deleted, inserted or replaced
            {
                string header = Encoding.UTF8.GetString(bytes, 8, headerLength);
                const string alphabet = "{}[]:,\"\\ -0123456789eE.aFI_\u00e9";
                int at = rng.Next(header.Length);
                char c = alphabet[rng.Next(alphabet.Length)];
                string edited = rng.Next(3) switch
                {
                    0 => header.Remove(at, 1),
                    1 => header.Insert(at, c.ToString()),
                    _ => header[..at] + c + header[(at + 1)..],
                };
                return WithHeader(bytes, headerLength, edited);
            }
            case 5: // a lying length prefix
            {
                ulong n = rng.Next(3) switch
                {
                    0 => (ulong)(headerLength + rng.Next(-16, 17)),
                    1 => (ulong)rng.NextInt64(),
                    _ => 1UL << rng.Next(64),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, n);
                return bytes;
            }
            case 6: // bytes appended
                return [.. bytes, .. Enumerable.Range(0, rng.Next(1, 24)).Select(_ => (byte)rng.Next(256))];
            default: // one tensor entry's text swapped with another's dtype, or duplicated
            {
                string header = Encoding.UTF8.GetString(bytes, 8, headerLength);
                string[] dtypes = ["\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"", "\"I64\"", "\"I32\""];
                var hits = System.Text.RegularExpressions.Regex.Matches(header, "\"(F32|F16|BF16|F64|I64|I32)\"");
                var m = hits[rng.Next(hits.Count)];
                string edited = header[..m.Index] + dtypes[rng.Next(dtypes.Length)] + header[(m.Index + m.Length)..];
                if (rng.Next(4) == 0) edited = edited.Replace("\"s\":", "\"e\":");
                return WithHeader(bytes, headerLength, edited);
            }
        }
    }

    private static byte[] WithHeader(byte[] bytes, int oldLength, string header)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + json.Length + (bytes.Length - 8 - oldLength)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        bytes.AsSpan(8 + oldLength).CopyTo(result.AsSpan(8 + json.Length));
        return result;
    }

    /// <summary>Opens and reads everything the way a caller would; returns false when the file was rejected.</summary>
    private static bool ReadAll(Func<SafetensorsFile> open)
    {
        try
        {
            using var file = open();
            foreach (var info in file.Tensors)
            {
                if (info.DType.IsFloat())
                {
                    var t = file.ReadTensor(info.Name);
                    Assert.Equal(info.ElementCount, t.Length);
                }
                else
                {
                    Assert.Equal(info.ElementCount, file.ReadInt64(info.Name).Length);
                    try { file.ReadInt32(info.Name); }
                    catch (SafetensorsFormatException e) when (e.Problem.Contains("does not fit in an int32")) { }
                }
            }
            _ = file.Metadata.Count;
            return true;
        }
        catch (SafetensorsFormatException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Mutated_files_are_read_or_rejected_cleanly()
    {
        byte[] good = Base();
        Assert.True(ReadAll(() => SafetensorsFile.FromBytes(good)));
        string dir = Directory.CreateTempSubdirectory("recur-fuzz-").FullName;
        int accepted = 0, rejected = 0;
        var run = Task.Run(() =>
        {
            var rng = new Random(20240605);
            for (int i = 0; i < Cases; i++)
            {
                int kind = i % 8;
                byte[] bytes = Mutate(good, rng, kind);
                try
                {
                    bool ok = ReadAll(() => SafetensorsFile.FromBytes(bytes, $"case {i}"));
                    if (i % 40 == 0) // the memory-mapped path must agree
                    {
                        string path = Path.Combine(dir, $"{i}.safetensors");
                        File.WriteAllBytes(path, bytes);
                        Assert.Equal(ok, ReadAll(() => SafetensorsFile.Open(path)));
                    }
                    if (ok) accepted++; else rejected++;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"case {i} (mutation {kind}) threw {e.GetType().Name} instead of SafetensorsFormatException: {e.Message}\n" +
                        $"file: {Convert.ToBase64String(bytes)}\n{e}");
                }
            }
        });
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(120)); // a hang fails with TimeoutException
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        // Both outcomes are common, so the mutations reach the deep checks rather than stopping at the first byte.
        Assert.True(rejected > Cases / 3, $"only {rejected} of {Cases} mutated files were rejected");
        Assert.True(accepted > Cases / 50, $"only {accepted} of {Cases} mutated files were accepted");
    }
}
