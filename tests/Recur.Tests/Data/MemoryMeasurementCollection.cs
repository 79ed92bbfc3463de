namespace Recur.Tests.Data;

/// <summary>
/// Tests that measure the process's heap (<see cref="GC.GetTotalMemory"/>) run alone: a test running beside them
/// would count its own objects into their measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    /// <summary>The collection name for <c>[Collection(MemoryMeasurementCollection.Name)]</c>.</summary>
    public const string Name = "Heap measurements";
}
