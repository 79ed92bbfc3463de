using Recur.Tests.Data;

namespace Recur.Tests.Cli;

/// <summary>Every kind of bad input ends with one "recur: ..." line on stderr, no stack trace, and a non-zero exit.</summary>
[Collection(CliCollection.Name)]
public sealed class BadInputTests(TinyModelFixture tiny)
{
    public static TheoryData<string, string> Cases => new()
    {
        // case name, text expected in the error line
        { "eval: missing text", "no such file" },
        { "eval: empty text", "is empty" },
        { "eval: binary text (NUL bytes)", "looks binary" },
        { "eval: text that is not UTF-8", "not UTF-8 text" },
        { "eval: invalid UTF-8 after the first 64 KB", "invalid UTF-8" },
        { "eval: gzip text that is corrupt", "cannot be decompressed" },
        { "eval: gzip text that holds nothing", "empty after gzip decompression" },
        { "eval: a folder as text", "is a folder" },
        { "eval: missing model", "no such file or folder" },
        { "eval: model folder without checkpoints", "holds no model.json" },
        { "info: model file that is not safetensors", "not a readable model file" },
        { "info: truncated checkpoint", "not a readable model file" },
        { "info: safetensors of another kind", "not a Recur checkpoint" },
        { "info: unreadable model file", "denied" },
        { "generate: empty prompt", "--prompt is empty" },
        { "generate: prompt outside a vocabulary without UNK", "'Q' U+0051" },
        { "generate: negative temperature", "--temperature must be at least 0, got -1" },
        { "generate: no model given", "--model" },
        { "train charlm: missing text", "no such file" },
        { "train charlm: empty text", "is empty" },
        { "train charlm: binary text", "looks binary" },
        { "check: missing path", "no such file or folder" },
        { "unknown option", "'--bogus'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FailsWithOneClearLine(string name, string expected)
    {
        using var dir = new TempDir();
        var args = Arguments(name, dir);
        if (args is null) return; // not applicable here (root can read anything)
        var r = Cli.Run(args);
        Assert.True(r.ExitCode != 0, r.ToString());
        var line = Assert.Single(r.ErrLines);
        Assert.StartsWith("recur: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("internal error", line);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        using var dir = new TempDir();
        var r = Cli.Run([.. Arguments("info: truncated checkpoint", dir)!, "--verbose"]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("recur: ", r.ErrLines[0]);
        Assert.Contains(" at Recur.", r.Err);
    }

    private string[]? Arguments(string name, TempDir dir)
    {
        string model = tiny.Folder, text = tiny.TextFile, best = Path.Combine(tiny.Folder, "best.safetensors");
        return name switch
        {
            "eval: missing text" => ["eval", "-m", model, "--text", dir.File("nope.txt")],
            "eval: empty text" => ["eval", "-m", model, "--text", dir.Write("empty.txt", "")],
            "eval: binary text (NUL bytes)" => ["eval", "-m", model, "--text", dir.WriteBytes("bin.dat", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0])],
            "eval: text that is not UTF-8" => ["eval", "-m", model, "--text", dir.WriteBytes("latin1.txt", [.. System.Text.Encoding.ASCII.GetBytes("the caf"), 0xE9, (byte)'\n'])],
            "eval: invalid UTF-8 after the first 64 KB" => ["eval", "-m", model, "--text", dir.WriteBytes("late.txt", [.. Enumerable.Repeat((byte)'a', 70_000), 0xFF, (byte)'\n'])],
            "eval: gzip text that is corrupt" => ["eval", "-m", model, "--text", dir.WriteBytes("bad.txt.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0b111, 0, 0, 0])], // a gzip header, then a deflate block of the reserved type 3
            "eval: gzip text that holds nothing" => ["eval", "-m", model, "--text", dir.WriteBytes("nothing.txt.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0])], // gzip of ""
            "eval: a folder as text" => ["eval", "-m", model, "--text", dir.Path],
            "eval: missing model" => ["eval", "-m", dir.File("nope"), "--text", text],
            "eval: model folder without checkpoints" => ["eval", "-m", dir.Path, "--text", text],
            "info: model file that is not safetensors" => ["info", "-m", dir.Write("model.safetensors", "just some text, not a model\n")],
            "info: truncated checkpoint" => ["info", "-m", dir.WriteBytes("cut.safetensors", File.ReadAllBytes(best)[..^100])],
            "info: safetensors of another kind" => ["info", "-m", Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "rnn-conformance"), "*.safetensors")[0]],
            "info: unreadable model file" => Unreadable(dir, best),
            "generate: empty prompt" => ["generate", "-m", model, "--prompt", ""],
            "generate: prompt outside a vocabulary without UNK" => ["generate", "-m", tiny.NoUnkFolder, "--prompt", "Qat"],
            "generate: negative temperature" => ["generate", "-m", model, "--temperature", "-1"],
            "generate: no model given" => ["generate"],
            "train charlm: missing text" => ["train", "charlm", "--text", dir.File("nope.txt"), "--out", dir.File("out")],
            "train charlm: empty text" => ["train", "charlm", "--text", dir.Write("empty.txt", ""), "--out", dir.File("out")],
            "train charlm: binary text" => ["train", "charlm", "--text", dir.WriteBytes("bin.dat", [1, 2, 0, 4]), "--out", dir.File("out")],
            "check: missing path" => ["check", dir.File("nope")],
            "unknown option" => ["info", "-m", model, "--bogus"],
            _ => throw new ArgumentException(name),
        };
    }

    private static string[]? Unreadable(TempDir dir, string best)
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root") return null; // permissions do not stop root
        string file = dir.WriteBytes("locked.safetensors", File.ReadAllBytes(best));
        File.SetUnixFileMode(file, UnixFileMode.None);
        return ["info", "-m", file];
    }
}
