namespace Recur.Bench.Rnn;

/// <summary>The suites' case filter: extra command-line words, all of which the row name must contain (e.g. <c>lstm t1</c>).</summary>
internal static class CaseFilter
{
    public static bool Matches(BenchOptions options, string rowName) =>
        options.Extra.All(word => rowName.Contains(word, StringComparison.Ordinal));
}
