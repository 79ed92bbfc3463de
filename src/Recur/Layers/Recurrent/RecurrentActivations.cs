using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Everything one use of a <see cref="RecurrentLayer"/> computes and keeps for its backward: one
/// <see cref="DirectionSweep"/> per layer and direction (gates, states, the cell's activations, workspaces), the
/// outputs between stacked layers, dropout masks, and what the input was. A tape owns one per use of the layer in a step
/// (so a layer may run several times in one step, e.g. a shared encoder) and hands the same objects out again at the
/// next step, so steps of a fixed architecture allocate nothing. The layer's eager <c>Forward</c>/<c>Backward</c> and
/// its inference use one of its own.
/// </summary>
internal sealed class RecurrentActivations
{
    internal RecurrentActivations(RecurrentLayer owner, DirectionWeights[] weights, int layers, int directions)
    {
        Owner = owner;
        Sweeps = new DirectionSweep[weights.Length];
        for (int k = 0; k < weights.Length; k++) Sweeps[k] = new DirectionSweep(weights[k]);
        Job = new DirectionJob(Sweeps, directions);
        Between = new Tensor?[layers];
        Dropped = new Tensor?[layers];
        Masks = new Tensor?[layers];
        GradBuffers = new Tensor?[layers];
    }

    /// <summary>The layer these activations belong to.</summary>
    public RecurrentLayer Owner { get; }

    /// <summary>[layer * D + direction].</summary>
    public DirectionSweep[] Sweeps { get; }

    /// <summary>Runs the sweeps of a layer's directions and row ranges concurrently.</summary>
    public DirectionJob Job { get; }

    /// <summary>Outputs of layers 0..L-2 [B, T, D*S]; the same after dropout (inputs of layers 1..L-1); the dropout masks (0 or 1/(1-p)).</summary>
    public Tensor?[] Between { get; }
    public Tensor?[] Dropped { get; }
    public Tensor?[] Masks { get; }

    /// <summary>∂L/∂(input of layer k+1) [B, T, D*S] for k = 0..L-2.</summary>
    public Tensor?[] GradBuffers { get; }

    /// <summary>The input of the last forward, and a copy of its token ids (token input).</summary>
    public SweepInput Input;
    public int[]? Tokens;

    /// <summary>Whether the last forward kept its activations for backward (training mode).</summary>
    public bool Kept;

    public bool HasForward => Input.Dense is not null || Input.Tokens is not null;
}
