using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using Recur.Bench.Kernels;

namespace Recur.Bench;

/// <summary>
/// The elementwise kernels (activations, softmax, elementwise arithmetic, reductions) under BenchmarkDotNet, each at
/// n = 256, 4096 and 65536 against TensorPrimitives and a scalar loop. Benchmarks run in-process (no generated
/// project per class). Suite options after the common ones go to BenchmarkSwitcher, e.g. <c>--filter *Tanh*</c>.
/// One row per kernel and size: Recur's median time vs TensorPrimitives' (or the scalar loop's where
/// TensorPrimitives has no equivalent); ratio = peer time / Recur time.
/// </summary>
public sealed class KernelsSuite : IBenchSuite
{
    /// <inheritdoc />
    public string Name => "kernels";

    /// <inheritdoc />
    public string Description => "elementwise/softmax/reduction kernels vs TensorPrimitives and scalar (BenchmarkDotNet)";

    /// <inheritdoc />
    public void Run(BenchOptions options, BenchReport report)
    {
        Type[] types = [typeof(ActivationBenchmarks), typeof(SoftmaxBenchmarks), typeof(ElementwiseBenchmarks), typeof(ReductionBenchmarks), typeof(CellMathBenchmarks)];
        var job = (options.Quick
                ? Job.Default.WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(20))
                : Job.Default.WithIterationCount(15).WithIterationTime(TimeInterval.FromMilliseconds(100)))
            .WithLaunchCount(1)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId(options.Quick ? "quick" : "full");
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "recur-bench-kernels"))
            .WithOptions(ConfigOptions.JoinSummary);
        string[] args = options.Extra.Count > 0 ? [.. options.Extra] : ["--filter", "*"];
        var summaries = BenchmarkSwitcher
            .FromTypes(types)
            .Run(args, config);
        foreach (var row in Rows(summaries)) report.Add(row);
    }

    /// <summary>Pairs <c>Kernel_Recur</c> with <c>Kernel_TensorPrimitives</c> (else <c>Kernel_Scalar</c>) per size.</summary>
    private IEnumerable<BenchRow> Rows(IEnumerable<Summary> summaries)
    {
        var medians = new Dictionary<(string Kernel, string Impl, int N), double>();
        foreach (var r in summaries.SelectMany(s => s.Reports))
        {
            if (r.ResultStatistics is null) continue;
            var parts = r.BenchmarkCase.Descriptor.WorkloadMethod.Name.Split('_');
            medians[(parts[0], parts[1], (int)r.BenchmarkCase.Parameters["N"])] = r.ResultStatistics.Median;
        }
        foreach (var ((kernel, impl, n), recur) in medians.Where(kv => kv.Key.Impl == "Recur").OrderBy(kv => kv.Key.Kernel).ThenBy(kv => kv.Key.N))
        {
            bool hasTp = medians.TryGetValue((kernel, "TensorPrimitives", n), out double tp);
            bool hasScalar = medians.TryGetValue((kernel, "Scalar", n), out double scalar);
            var extra = new Dictionary<string, object> { ["n"] = n, ["peer_name"] = hasTp ? "TensorPrimitives" : "scalar" };
            if (hasScalar) extra["scalar_ns"] = Math.Round(scalar, 1);
            yield return new BenchRow(Name, $"{kernel} n={n}", recur, hasTp ? tp : hasScalar ? scalar : double.NaN, "ns", HigherIsBetter: false, extra);
        }
    }
}
