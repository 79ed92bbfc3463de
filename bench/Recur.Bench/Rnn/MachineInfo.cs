using Recur.Kernels;

namespace Recur.Bench.Rnn;

/// <summary>The facts a benchmark table needs next to it: CPU model, logical CPUs, ISA path, load average.</summary>
internal static class MachineInfo
{
    public static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown CPU"; }
    }

    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Trim(); }
        catch (IOException) { return "unknown"; }
    }

    public static string Summary() =>
        $"machine: {CpuModel()}, {Environment.ProcessorCount} logical CPUs, ISA {KernelConfig.Isa}, .NET {Environment.Version}; load average {LoadAverage()}";
}
