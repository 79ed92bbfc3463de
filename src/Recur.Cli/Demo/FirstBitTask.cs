using System.Diagnostics;
using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Cli.Demo;

/// <summary>One network trained on the first-bit task.</summary>
/// <param name="Cell">The recurrent layer (kind, size, nonlinearity).</param>
/// <param name="Delay">Steps between the bit and the answer.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Updates">Adam updates made.</param>
/// <param name="Seconds">Training time.</param>
/// <param name="Accuracy">Answers right on fresh sequences.</param>
/// <param name="MaxGradientNorm">The largest global gradient norm seen (before clipping).</param>
/// <param name="FinalLoss">Training loss of the last update (NaN when training blew up).</param>
/// <param name="LearnedAfter">Updates and training seconds until a check (every 100 updates, 256 fresh sequences) first scored 95%, when one did.</param>
/// <param name="Checks">Every check: training seconds and accuracy.</param>
/// <param name="Losses">The training loss of each update.</param>
/// <param name="Norms">The global gradient norm of each update, before clipping.</param>
internal sealed record FirstBitResult(RecurrentConfig Cell, int Delay, int Parameters, int Updates, double Seconds, double Accuracy, double MaxGradientNorm, double FinalLoss,
    (int Updates, double Seconds)? LearnedAfter, IReadOnlyList<(double Seconds, double Accuracy)> Checks, IReadOnlyList<double> Losses, IReadOnlyList<double> Norms);

/// <summary>
/// A long-dependency task: a sequence of T = delay + 1 random bits (±1, one a step), and at the last step the network
/// must say what the <em>first</em> bit was; every later bit is a distractor. The answer is a logistic output on the
/// last hidden state:
/// <code>
///   x_t ∈ {-1, +1}, t = 0..T-1          h_t = cell(x_t, h_{t-1})        y = σ(w·h_{T-1} + b)    target: x_0 > 0
/// </code>
/// The error signal must travel back `delay` steps to reach x_0: through a tanh RNN it shrinks by a factor of about
/// ‖W_hh‖·tanh' each step (vanishing gradient) and learning fails beyond a few tens of steps, while the LSTM's and
/// GRU's additive cell/state paths carry it. Guessing scores 50%. Each update draws a fresh batch from a seeded
/// generator; accuracy is measured on 1,000 fresh sequences.
/// </summary>
internal sealed class FirstBitTask(int batch = 32, double learningRate = 3e-3, ulong seed = 1)
{
    /// <summary>A batch of sequences [B, T, 1] and their answers (1 when the first bit is +1).</summary>
    public static (Tensor X, float[] Y) Batch(Rng rng, int batch, int steps)
    {
        var x = new Tensor(batch, steps, 1);
        var y = new float[batch];
        var s = x.Span;
        for (int b = 0; b < batch; b++)
        {
            s[b * steps] = rng.NextInt(2) == 1 ? 1f : -1f;
            for (int t = 1; t < steps; t++) s[b * steps + t] = rng.NextInt(2) == 1 ? 1f : -1f;
            y[b] = s[b * steps] > 0 ? 1f : 0f;
        }
        return (x, y);
    }

    /// <summary>The network: the recurrent layer <paramref name="cell"/> describes and the logistic read-out.</summary>
    public static (RecurrentLayer Layer, Linear Head) Network(RecurrentConfig cell, Rng rng) =>
        (cell.Build(1, rng), new Linear(cell.OutputSize, 1, rng: rng));

    /// <summary>
    /// Trains a fresh network for <paramref name="updates"/> updates or <paramref name="seconds"/> seconds, whichever
    /// comes first, clipping the global gradient norm at <paramref name="clip"/> (0 = no clipping). <paramref name="prepare"/>
    /// may change the initial weights (e.g. to make them explode).
    /// </summary>
    /// <param name="sgd">Plain SGD at this learning rate instead of Adam (whose per-weight scaling hides how large a gradient was).</param>
    public FirstBitResult Train(RecurrentConfig cell, int delay, int updates, double seconds = double.PositiveInfinity, double clip = 1,
        Action<RecurrentLayer>? prepare = null, double? sgd = null)
    {
        var rng = new Rng(seed);
        var (layer, head) = Network(cell, rng);
        (prepare ?? RememberByDefault)(layer);
        var parameters = layer.Parameters.Concat(head.Parameters).ToArray();
        Optimizer optimizer = sgd is { } lr ? new Sgd(parameters, lr) : new Adam(parameters, learningRate);
        var data = new Rng(seed ^ 0xB175UL);
        var tape = new Tape();
        var clock = Stopwatch.StartNew(); // training time only: the checks are not counted
        var checks = new Rng(seed ^ 0xC4ECUL);
        (int, double)? learned = null;
        var checkCurve = new List<(double, double)>();
        var losses = new List<double>();
        var norms = new List<double>();
        double maxNorm = 0, loss = double.NaN;
        int done = 0;
        while (done < updates && clock.Elapsed.TotalSeconds < seconds)
        {
            if (done % 100 == 0 && done > 0)
            {
                clock.Stop();
                double accuracy = Accuracy(layer, head, delay, checks, 256);
                checkCurve.Add((clock.Elapsed.TotalSeconds, accuracy));
                if (accuracy >= 0.95 && learned is null) learned = (done, clock.Elapsed.TotalSeconds);
                clock.Start();
            }
            var (x, y) = Batch(data, batch, delay + 1);
            tape.Reset();
            optimizer.ZeroGrad();
            var l = tape.BinaryCrossEntropyWithLogits(Logit(tape, layer, head, x), y);
            tape.Backward(l);
            loss = l.Value[0];
            double norm = clip > 0 ? GradientClipping.ClipByGlobalNorm(parameters, clip) : GradientClipping.GlobalNorm(parameters);
            maxNorm = Math.Max(maxNorm, double.IsNaN(norm) ? double.PositiveInfinity : norm);
            losses.Add(loss);
            norms.Add(norm);
            done++;
            if (!double.IsFinite(loss)) break;
            optimizer.Step();
        }
        double trained = clock.Elapsed.TotalSeconds;
        return new FirstBitResult(cell, delay, parameters.Sum(p => p.Count), done, trained, Accuracy(layer, head, delay, new Rng(seed ^ 0x7E57UL)), maxNorm, loss, learned, checkCurve, losses, norms);
    }

    /// <summary>The answer's logit [B, 1] from the last hidden state.</summary>
    private static Var Logit(Tape tape, RecurrentLayer layer, Linear head, Tensor x) =>
        tape.Linear(head, tape.LastStep(tape.Recurrent(layer, tape.Input(x)).Output));

    private static double Accuracy(RecurrentLayer layer, Linear head, int delay, Rng rng, int n = 1000)
    {
        var (x, y) = Batch(rng, n, delay + 1);
        var logits = Logit(new Tape(), layer, head, x).Value.Span;
        int right = 0;
        for (int i = 0; i < n; i++) right += (logits[i] > 0 ? 1f : 0f) == y[i] ? 1 : 0;
        return right / (double)n;
    }

    /// <summary>
    /// ‖∂L/∂h_t‖ for t = T-1 down to 0 of a fresh network (after <paramref name="prepare"/>) on one batch of length
    /// <paramref name="steps"/>, divided by its value at the last step: how much of the error signal reaches each earlier
    /// step (the notes' vanishing and exploding gradients). Index k is k steps before the end.
    /// </summary>
    public double[] GradientReach(RecurrentConfig cell, int steps, Action<RecurrentLayer>? prepare = null)
    {
        var rng = new Rng(seed);
        var (layer, head) = Network(cell, rng);
        (prepare ?? RememberByDefault)(layer);
        var (x, y) = Batch(new Rng(seed ^ 0x6AD5UL), batch, steps);
        var output = layer.Forward(x).Output;                               // [B, T, H]
        var gradOutput = new Tensor(output.Shape.ToArray());
        var w = head.Weight.Value.Span;                                     // [1, H]
        var last = head.Forward(LastRows(output)).Span;                     // logits [B, 1]
        for (int b = 0; b < batch; b++)
        {
            // d BCE / d logit = σ(z) - y, spread to h_{T-1} by the read-out's weights; mean over the batch
            float dz = (1f / (1f + MathF.Exp(-last[b])) - y[b]) / batch;
            for (int j = 0; j < w.Length; j++) gradOutput[b, steps - 1, j] = dz * w[j];
        }
        layer.Backward(gradOutput, computeInputGradient: false);
        var norms = layer.GradientNormsOverTime().Span;                     // [1, T]
        var reach = new double[steps];
        for (int k = 0; k < steps; k++) reach[k] = norms[steps - 1 - k] / norms[steps - 1];
        return reach;
    }

    private static Tensor LastRows(Tensor output)
    {
        int b = output.Dim(0), t = output.Dim(1), h = output.Dim(2);
        var last = new Tensor(b, h);
        for (int i = 0; i < b; i++) output.Span.Slice((i * t + t - 1) * h, h).CopyTo(last.Span.Slice(i * h, h));
        return last;
    }

    /// <summary>
    /// Gated cells start out keeping their state: the LSTM's forget-gate bias (rows H..2H of b_ih, gate order i, f, g, o)
    /// and the GRU's update-gate bias (rows H..2H, order r, z, n; h_t = (1 - z)·n + z·h_{t-1}) are set to 1, as Keras'
    /// <c>unit_forget_bias</c> does for the LSTM (Jozefowicz et al., 2015). A plain RNN has no gate to set.
    /// </summary>
    public static void RememberByDefault(RecurrentLayer layer)
    {
        if (layer is not (Lstm or Gru)) return;
        var b = layer.GetParameter("bias_ih_l0").Value.Span;
        int h = layer.HiddenSize;
        b.Slice(h, h).Fill(1f);
        layer.GetParameter("bias_hh_l0").Value.Span.Slice(h, h).Clear();
    }

    /// <summary>
    /// Redraws the recurrent weights W_hh ~ N(0, g²/H), whose spectral radius is about g: above 1 (and with a ReLU, which
    /// does not saturate as tanh does) the error signal grows going back in time, the exploding gradient.
    /// </summary>
    public static Action<RecurrentLayer> RecurrentGain(double gain) => layer =>
    {
        var w = layer.GetParameter("weight_hh_l0").Value.Span;
        var rng = new Rng(99);
        double scale = gain / Math.Sqrt(layer.HiddenSize);
        for (int i = 0; i < w.Length; i++) w[i] = (float)(rng.NextGaussian() * scale);
    };
}
