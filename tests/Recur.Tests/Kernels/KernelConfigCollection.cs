using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// Tests that change <see cref="KernelConfig"/> (process-wide) join this collection; it runs alone, never in
/// parallel with other tests, so settings changed here cannot leak into a concurrently running test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelConfigCollection
{
    /// <summary>The collection name for <c>[Collection(KernelConfigCollection.Name)]</c>.</summary>
    public const string Name = "KernelConfig";
}

/// <summary>Sets the kernel ISA and thread count for a scope and restores the previous settings on dispose.</summary>
internal sealed class KernelSettings : IDisposable
{
    private readonly KernelIsa _isa = KernelConfig.Isa;
    private readonly int _threads = KernelConfig.Threads;

    public KernelSettings(KernelIsa isa, int threads)
    {
        KernelConfig.Isa = isa;
        KernelConfig.Threads = threads;
    }

    public void Dispose()
    {
        KernelConfig.Isa = _isa;
        KernelConfig.Threads = _threads;
    }
}
