using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A multi-layer, optionally bidirectional recurrent layer trained by backpropagation through time; the shared
/// machinery of <see cref="Rnn"/>, <see cref="Lstm"/> and <see cref="Gru"/>. Semantics and parameter names follow
/// PyTorch's <c>nn.RNN</c>/<c>nn.LSTM</c>/<c>nn.GRU</c> with <c>batch_first=True</c>.
/// <para>Shapes: B batch, T steps, I input features, H hidden size, S state size (P = projSize for a projected LSTM,
/// else H), L layers, D = 2 if bidirectional else 1.</para>
/// <list type="bullet">
/// <item>input [B, T, I]; optional h0 [L*D, B, S], c0 [L*D, B, H] (LSTM); optional lengths [B] in any order.</item>
/// <item>output [B, T, D*S] with features [forward | reverse]; h_n [L*D, B, S]; c_n [L*D, B, H], indexed layer*D + direction.</item>
/// <item>Parameters per layer k and direction (suffix <c>_reverse</c>): weight_ih_l{k} [G*H, I or D*S],
/// weight_hh_l{k} [G*H, S], bias_ih_l{k} [G*H], bias_hh_l{k} [G*H], weight_hr_l{k} [P, H] (projected LSTM).</item>
/// </list>
/// With lengths, the result equals PyTorch's pack_padded_sequence path: output is exactly 0 at t &gt;= length,
/// h_n/c_n are the states after each sequence's last valid step, the reverse direction starts at each sequence's own
/// last valid step, and padded input steps get exactly zero gradient.
/// </summary>
public abstract class RecurrentLayer : Module
{
    private readonly DirectionWeights[] _weights; // [layer * D + direction]
    private readonly Rng _rng;
    internal Rng DropoutRng => _rng; // the dropout-mask generator, saved and restored by checkpoints
    private RecurrentActivations? _own;          // the eager Forward/Backward's and inference's
    private RecurrentActivations? _lastBackward; // whose gradient norms GradientNormsOverTime reports

    private protected RecurrentLayer(CellSpec spec, int numLayers, bool bidirectional, float dropout, RecurrentInit init, Rng? rng)
    {
        if (spec.InputSize <= 0) throw new ArgumentOutOfRangeException("inputSize", $"must be positive, got {spec.InputSize}");
        if (spec.HiddenSize <= 0) throw new ArgumentOutOfRangeException("hiddenSize", $"must be positive, got {spec.HiddenSize}");
        if (numLayers <= 0) throw new ArgumentOutOfRangeException(nameof(numLayers), $"must be positive, got {numLayers}");
        if (!(dropout >= 0 && dropout <= 1)) throw new ArgumentOutOfRangeException(nameof(dropout), $"must be in [0, 1], got {dropout}");
        if (spec.ProjSize < 0 || (spec.ProjSize > 0 && spec.ProjSize >= spec.HiddenSize))
            throw new ArgumentOutOfRangeException("projSize", $"must be 0 (none) or in [1, hiddenSize={spec.HiddenSize}), got {spec.ProjSize}");
        if (spec.ProjSize > 0 && spec.Variant != LstmVariant.Standard)
            throw new ArgumentException($"a projection (projSize = {spec.ProjSize}) is only for the standard LSTM, not {spec.Variant}", "projSize");
        Spec = spec;
        NumLayers = numLayers;
        Bidirectional = bidirectional;
        Dropout = dropout;
        _rng = (rng ?? Rng.Default).Fork();

        int d = Directions, g = spec.Gates * spec.HiddenSize, s = spec.StateSize;
        _weights = new DirectionWeights[numLayers * d];
        for (int layer = 0; layer < numLayers; layer++)
        {
            int inSize = layer == 0 ? spec.InputSize : d * s;
            for (int dir = 0; dir < d; dir++)
            {
                string sfx = $"_l{layer}" + (dir == 1 ? "_reverse" : "");
                var wih = Add(new Parameter("weight_ih" + sfx, g, inSize));
                var whh = Add(new Parameter("weight_hh" + sfx, g, s));
                var bih = spec.Bias ? Add(new Parameter("bias_ih" + sfx, g)) : null;
                var bhh = spec.Bias ? Add(new Parameter("bias_hh" + sfx, g)) : null;
                var whr = spec.ProjSize > 0 ? Add(new Parameter("weight_hr" + sfx, spec.ProjSize, spec.HiddenSize)) : null;
                var cell = CellRegistry.Create(spec with { InputSize = inSize });
                var own = cell.OwnParameters.Select(p => Add(new Parameter(p.Name + sfx, p.Length))).ToArray();
                _weights[layer * d + dir] = new DirectionWeights(cell, dir == 1, wih, whh, bih, bhh, whr, own);
            }
        }
        Reset(init, _rng);
    }

    private Parameter Add(Parameter p) => RegisterParameter(p);

    /// <summary>The cell math this layer runs.</summary>
    public CellSpec Spec { get; }

    /// <summary>I, features per input step.</summary>
    public int InputSize => Spec.InputSize;

    /// <summary>H, hidden units per gate block.</summary>
    public int HiddenSize => Spec.HiddenSize;

    /// <summary>P, the LSTM projection size (0 when none).</summary>
    public int ProjSize => Spec.ProjSize;

    /// <summary>Features of h: P when projected, else H.</summary>
    public int StateSize => Spec.StateSize;

    /// <summary>L, stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>Whether each layer also runs from the last step to the first.</summary>
    public bool Bidirectional { get; }

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Dropout probability on the outputs of every layer but the last (training mode only).</summary>
    public float Dropout { get; }

    /// <summary>The parameter called <paramref name="name"/> (e.g. <c>weight_hh_l1_reverse</c>).</summary>
    public Parameter GetParameter(string name) =>
        Parameters.FirstOrDefault(p => p.Name == name)
        ?? throw new KeyNotFoundException($"{GetType().Name} has no parameter '{name}'; it has {string.Join(", ", Parameters.Select(p => p.Name))}");

    /// <summary>
    /// Diagnosis of vanishing and exploding gradients: after <see cref="Backward"/> (or a tape's backward: of the use of
    /// the layer whose backward ran last, i.e. the first use in a step), row layer*D + direction holds
    /// ‖∂L/∂h_t‖₂ (over the batch) for each step t, [L*D, T]. With a loss at the last step only, the values going back
    /// from t = T-1 to 0 show how far the error signal reaches: exponential decay is a vanishing gradient (typical of
    /// tanh RNNs), growth an exploding one (the case for gradient clipping).
    /// </summary>
    public Tensor GradientNormsOverTime()
    {
        var sweeps = _lastBackward?.Sweeps ?? [];
        int t = _lastBackward?.Input.Steps ?? 0;
        var r = new Tensor(_weights.Length, t);
        for (int k = 0; k < sweeps.Length; k++)
        {
            var n = sweeps[k].StepGradientNorms;
            if (n.Length == t) n.CopyTo(r.Span.Slice(k * t, t));
        }
        return r;
    }

    /// <summary>Re-initialises every parameter.</summary>
    public void Reset(RecurrentInit init, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        float bound = 1f / MathF.Sqrt(HiddenSize);
        int g = Spec.Gates;
        foreach (var p in Parameters)
        {
            var w = p.Value.Span;
            if (init == RecurrentInit.PyTorch) { Initializers.Uniform(w, bound, rng); continue; }
            if (p.Value.Rank == 1) { w.Clear(); continue; }
            int rows = p.Value.Dim(0), cols = p.Value.Dim(1);
            bool recurrent = p.Name.StartsWith("weight_hh", StringComparison.Ordinal);
            int blocks = p.Name.StartsWith("weight_hr", StringComparison.Ordinal) ? 1 : g;
            int blockRows = rows / blocks;
            for (int k = 0; k < blocks; k++)
            {
                var block = w.Slice(k * blockRows * cols, blockRows * cols);
                if (init == RecurrentInit.Orthogonal && recurrent) Initializers.Orthogonal(block, blockRows, cols, rng);
                else Initializers.GlorotUniform(block, blockRows, cols, rng);
            }
        }
    }

    /// <inheritdoc />
    public override string Describe() =>
        $"{GetType().Name}({InputSize} -> {HiddenSize}" + (NumLayers > 1 ? $", {NumLayers} layers" : "") + (Bidirectional ? ", bidirectional" : "") + (ProjSize > 0 ? $", proj {ProjSize}" : "") + (Spec.Variant != LstmVariant.Standard ? $", {Spec.Variant.ToString().ToLowerInvariant()}" : "") + ")";

    /// <summary>
    /// Runs the layer over <paramref name="input"/> [B, T, I]. <paramref name="h0"/> [L*D, B, S] and
    /// <paramref name="c0"/> [L*D, B, H] default to zeros; <paramref name="lengths"/> [B] (each in 1..T, any order)
    /// marks the valid steps of each sequence. Returns new tensors output [B, T, D*S], h_n, c_n.
    /// </summary>
    public RecurrentResult Forward(Tensor input, Tensor? h0 = null, Tensor? c0 = null, int[]? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3) throw new ShapeMismatchException(nameof(input), $"[B, T, {InputSize}]", Shape.Format(input.Shape));
        int b = input.Dim(0), t = input.Dim(1), d = Directions, s = StateSize, h = HiddenSize;
        input.CheckShape(nameof(input), b, t, InputSize);
        h0?.CheckShape(nameof(h0), NumLayers * d, b, s);
        if (c0 is not null)
        {
            if (!Spec.HasCellState) throw new ArgumentException($"c0 is only for LSTM layers; this is a {GetType().Name}", nameof(c0));
            c0.CheckShape(nameof(c0), NumLayers * d, b, h);
        }
        CheckLengths(lengths, b, t);
        var result = new RecurrentResult(new Tensor(b, t, d * s), new Tensor(NumLayers * d, b, s),
            Spec.HasCellState ? new Tensor(NumLayers * d, b, h) : null);
        ForwardInto(OwnActivations, input, h0, c0, lengths, result.Output, result.Hn, result.Cn);
        return result;
    }

    /// <summary>
    /// <see cref="Forward"/> into caller-owned tensors output [B, T, D*S], hn [L*D, B, S], cn [L*D, B, H] (LSTM),
    /// allocation-free after the first call with these shapes, keeping what the backward needs in <paramref name="a"/>.
    /// Arguments are assumed checked by the caller.
    /// </summary>
    internal void ForwardInto(RecurrentActivations a, Tensor input, Tensor? h0, Tensor? c0, int[]? lengths, Tensor output, Tensor hn, Tensor? cn) =>
        Run(a, SweepInput.Of(input), h0, c0, lengths, output, hn, cn);

    /// <summary>A fresh set of activations for one use of this layer (see <see cref="RecurrentActivations"/>).</summary>
    internal RecurrentActivations NewActivations() => new(this, _weights, NumLayers, Directions);

    /// <summary>The activations of the eager <see cref="Forward"/>/<see cref="Backward"/> and of inference.</summary>
    internal RecurrentActivations OwnActivations => _own ??= NewActivations();

    /// <summary>
    /// <see cref="ForwardInto"/> for token ids [B*T] looked up in <paramref name="table"/> (whose EmbeddingDim is the
    /// input size): the result of the dense forward on the looked-up vectors, with the first layer's input projection
    /// done as a lookup in E W_ih^T (see <see cref="SweepInput"/>). Backward then adds ∂L/∂E into the table's gradient.
    /// </summary>
    internal void ForwardTokensInto(RecurrentActivations a, Embedding table, ReadOnlySpan<int> tokens, int batch, int steps, Tensor? h0, Tensor? c0, int[]? lengths, Tensor output, Tensor hn, Tensor? cn)
    {
        if (a.Tokens is null || a.Tokens.Length != tokens.Length) a.Tokens = new int[tokens.Length];
        for (int n = 0; n < tokens.Length; n++)
        {
            if ((uint)tokens[n] >= (uint)table.NumEmbeddings)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"tokens[{n}] = {tokens[n]} is outside [0, {table.NumEmbeddings})");
            a.Tokens[n] = tokens[n];
        }
        Run(a, new SweepInput(null, table, a.Tokens, batch, steps), h0, c0, lengths, output, hn, cn);
    }

    private void Run(RecurrentActivations a, SweepInput input, Tensor? h0, Tensor? c0, int[]? lengths, Tensor output, Tensor hn, Tensor? cn)
    {
        int b = input.Batch, t = input.Steps, d = Directions, s = StateSize;
        int maxLen = CheckLengths(lengths, b, t);
        bool keep = Training;
        var x = input;
        for (int layer = 0; layer < NumLayers; layer++)
        {
            bool lastLayer = layer == NumLayers - 1;
            var y = lastLayer ? output : Tensor.Ensure(ref a.Between[layer], b, t, d * s);
            a.Job.Forward(layer, x, y, h0, c0, lengths, maxLen, hn, cn, keep);
            if (!lastLayer) x = SweepInput.Of(ApplyDropout(a, layer, y));
        }
        a.Input = input;
        a.Kept = keep;
    }

    /// <summary>
    /// Backpropagation through time for the last <see cref="Forward"/> (training mode), for the loss whose gradients
    /// are <paramref name="gradOutput"/> [B, T, D*S] and optionally <paramref name="gradHn"/> [L*D, B, S],
    /// <paramref name="gradCn"/> [L*D, B, H]. Adds into every <see cref="Parameter.Grad"/>; returns ∂L/∂input, ∂L/∂h0, ∂L/∂c0.
    /// With <paramref name="computeInputGradient"/> = false, ∂L/∂input is left zero and its GEMM skipped (the input is data,
    /// not the output of a trainable layer).
    /// </summary>
    public RecurrentGradients Backward(Tensor gradOutput, Tensor? gradHn = null, Tensor? gradCn = null, bool computeInputGradient = true)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var a = OwnActivations;
        if (!a.Kept || !a.HasForward)
            throw new InvalidOperationException("Backward needs a preceding Forward in training mode (Training = true)");
        if (a.Input.Tokens is not null)
            throw new InvalidOperationException("the last forward read token ids (tape.Recurrent with an embedding table); its backward runs through the tape");
        int b = a.Input.Batch, t = a.Input.Steps, d = Directions, s = StateSize, h = HiddenSize;
        gradOutput.CheckShape(nameof(gradOutput), b, t, d * s);
        gradHn?.CheckShape(nameof(gradHn), NumLayers * d, b, s);
        if (gradCn is not null)
        {
            if (!Spec.HasCellState) throw new ArgumentException($"gradCn is only for LSTM layers; this is a {GetType().Name}", nameof(gradCn));
            gradCn.CheckShape(nameof(gradCn), NumLayers * d, b, h);
        }
        var grads = new RecurrentGradients(new Tensor(b, t, InputSize), new Tensor(NumLayers * d, b, s),
            Spec.HasCellState ? new Tensor(NumLayers * d, b, h) : null);
        BackwardInto(a, gradOutput, gradHn, gradCn, grads.Input, grads.H0, grads.C0, computeInputGradient);
        return grads;
    }

    /// <summary>
    /// <see cref="Backward"/> into caller-owned gradient tensors (dInput is written, not accumulated). After a token-input
    /// forward, dInput is ∂L/∂E [V, I] for the embedding table (the caller hands it to the table).
    /// </summary>
    internal void BackwardInto(RecurrentActivations a, Tensor gradOutput, Tensor? gradHn, Tensor? gradCn, Tensor? dInput, Tensor dh0, Tensor? dc0, bool computeInputGradient)
    {
        if (!a.Kept || !a.HasForward)
            throw new InvalidOperationException("Backward needs a preceding Forward in training mode (Training = true)");
        _lastBackward = a;
        int b = a.Input.Batch, t = a.Input.Steps, d = Directions, s = StateSize;
        if (!computeInputGradient) dInput?.Clear();
        var dy = gradOutput;
        for (int layer = NumLayers - 1; layer >= 0; layer--)
        {
            // ∂L/∂(this layer's input): the network input, or the previous layer's (dropped-out) output.
            var dx = layer == 0 ? dInput : Tensor.Ensure(ref a.GradBuffers[layer - 1], b, t, d * s);
            a.Job.Backward(layer, dy, gradHn, gradCn, dh0, dc0);
            for (int dir = 0; dir < d; dir++)
            {
                if (layer > 0 || computeInputGradient) a.Sweeps[layer * d + dir].InputGradient(dx!, accumulate: dir > 0);
            }
            if (layer > 0)
            {
                if (a.Masks[layer - 1] is { } mask && a.Dropped[layer - 1] is not null)
                    System.Numerics.Tensors.TensorPrimitives.Multiply(dx!.Span, mask.Span, dx.Span);
                dy = dx!;
            }
        }
    }

    private Tensor ApplyDropout(RecurrentActivations a, int layer, Tensor y)
    {
        if (!Training || Dropout == 0) { a.Dropped[layer] = null; return y; }
        var mask = Tensor.Ensure(ref a.Masks[layer], y.Dim(0), y.Dim(1), y.Dim(2));
        var dropped = Tensor.Ensure(ref a.Dropped[layer], y.Dim(0), y.Dim(1), y.Dim(2));
        float keepScale = 1f / (1f - Dropout); // infinite at p = 1, but then no element is kept (NextFloat() < 1)
        var m = mask.Span;
        for (int i = 0; i < m.Length; i++) m[i] = _rng.NextFloat() < Dropout ? 0f : keepScale;
        System.Numerics.Tensors.TensorPrimitives.Multiply(y.Span, m, dropped.Span);
        return dropped;
    }

    internal static int CheckLengths(int[]? lengths, int b, int t)
    {
        if (lengths is null) return t;
        if (lengths.Length != b) throw new ShapeMismatchException(nameof(lengths), $"[{b}] (one length per batch row)", $"[{lengths.Length}]");
        int max = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] < 1 || lengths[i] > t)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"lengths[{i}] = {lengths[i]} is outside [1, T={t}]");
            max = Math.Max(max, lengths[i]);
        }
        return max;
    }
}
