namespace Recur.Bench;

/// <summary>
/// A named benchmark suite run as <c>dotnet run -c Release --project bench/Recur.Bench -- &lt;suite&gt; [--quick] [--json FILE]</c>.
/// Suites are found by reflection, so adding one is adding a class.
/// </summary>
public interface IBenchSuite
{
    /// <summary>The name used on the command line, e.g. <c>gemm</c>.</summary>
    string Name { get; }

    /// <summary>One line for the suite list.</summary>
    string Description { get; }

    /// <summary>Runs the suite, reporting each row through <paramref name="report"/> as soon as it is measured.</summary>
    void Run(BenchOptions options, BenchReport report);
}

/// <summary>Command-line options shared by every suite.</summary>
/// <param name="Quick">Keep the suite under about three minutes.</param>
/// <param name="JsonPath">Where to write the rows as JSON lines, or null.</param>
/// <param name="Extra">Arguments the common parser did not consume, for the suite to read.</param>
public sealed record BenchOptions(bool Quick, string? JsonPath, IReadOnlyList<string> Extra);
