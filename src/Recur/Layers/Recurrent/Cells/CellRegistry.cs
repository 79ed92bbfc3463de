namespace Recur.Layers;

/// <summary>Which <see cref="CellDefinition"/> runs each cell kind: the one place that chooses by kind.</summary>
internal static class CellRegistry
{
    /// <summary>The definition of <paramref name="spec"/>'s kind (GRU: by reset placement).</summary>
    public static CellDefinition Create(CellSpec spec) => spec.Kind switch
    {
        CellKind.Lstm when spec.Variant == LstmVariant.Peephole => new PeepholeLstmDefinition(spec),
        CellKind.Lstm => new LstmDefinition(spec),
        CellKind.Gru when spec.ResetAfter => new GruResetAfterDefinition(spec),
        CellKind.Gru => new GruResetBeforeDefinition(spec),
        CellKind.Rnn => new RnnDefinition(spec),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), $"no cell definition for {spec.Kind}"),
    };

    /// <summary>G, the gate blocks of W_ih [G*H, I].</summary>
    public static int Gates(CellKind kind) => kind switch
    {
        CellKind.Lstm => LstmDefinition.GateCount,
        CellKind.Gru => GruResetAfterDefinition.GateCount,
        CellKind.Rnn => RnnDefinition.GateCount,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"no cell definition for {kind}"),
    };

    /// <summary>Whether the kind carries a cell state c beside h.</summary>
    public static bool HasCellState(CellKind kind) => kind == CellKind.Lstm;
}
