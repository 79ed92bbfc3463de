using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Cli.Demo;

/// <summary>What the network does at one time step of "hell" -> "ello".</summary>
/// <param name="Input">x_t, the character read.</param>
/// <param name="Target">The character that should be predicted.</param>
/// <param name="OneHot">x_t as a one-hot vector [V].</param>
/// <param name="Hidden">h_t [H].</param>
/// <param name="Probabilities">softmax(y_t) [V].</param>
/// <param name="Predicted">argmax of <paramref name="Probabilities"/>.</param>
internal sealed record HelloStep(char Input, char Target, float[] OneHot, float[] Hidden, double[] Probabilities, char Predicted);

/// <summary>The trained demo: the loss after each update and the step-by-step trace before and after training.</summary>
internal sealed record HelloResult(float[] Losses, HelloStep[] Before, HelloStep[] After, int ParameterCount)
{
    /// <summary>The characters predicted after training, e.g. "ello".</summary>
    public string Predicted => new(After.Select(s => s.Predicted).ToArray());
}

/// <summary>
/// The classic first recurrent network: vocabulary h, e, l, o; the input "hell" one-hot encoded; a vanilla RNN
/// trained to predict the next character at every step ("ello"). Since 'l' is followed once by 'l' and once by 'o',
/// the prediction must come from the hidden state, i.e. from memory of what came before.
/// <code>
///   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),  h_0 = 0      x_t [4], h_t [H]
///   y_t = W_hy h_t + b_y,   p_t = softmax(y_t)                       y_t, p_t [4]
///   L = -(1/4) Σ_t log p_t[target_t]                                 trained with Adam through BPTT
/// </code>
/// </summary>
internal static class HelloDemo
{
    /// <summary>The vocabulary, in one-hot index order.</summary>
    public const string Vocabulary = "helo";

    /// <summary>The word; the inputs are all but its last character, the targets all but its first.</summary>
    public const string Word = "hello";

    /// <summary>Trains the network with <paramref name="hidden"/> units for <paramref name="steps"/> Adam updates.</summary>
    public static HelloResult Train(int hidden, int steps, double learningRate, ulong seed)
    {
        int v = Vocabulary.Length, t = Word.Length - 1;
        var inputs = new Tensor(1, t, v);
        var targets = new int[t];
        for (int i = 0; i < t; i++)
        {
            inputs[0, i, Vocabulary.IndexOf(Word[i])] = 1f;
            targets[i] = Vocabulary.IndexOf(Word[i + 1]);
        }
        var rng = new Rng(seed);
        var rnn = new Rnn(v, hidden, rng: rng);
        var head = new Linear(hidden, v, rng: rng);
        var parameters = rnn.Parameters.Concat(head.Parameters).ToArray();
        var before = Trace(rnn, head, inputs);

        var adam = new Adam(parameters, learningRate);
        var tape = new Tape();
        var losses = new float[steps];
        for (int step = 0; step < steps; step++)
        {
            tape.Reset();
            adam.ZeroGrad();
            var states = tape.Recurrent(rnn, tape.Input(inputs));
            var loss = tape.CrossEntropy(tape.Linear(head, states.Output), targets);
            losses[step] = loss.Value[0];
            tape.Backward(loss);
            adam.Step();
        }
        return new HelloResult(losses, before, Trace(rnn, head, inputs), parameters.Sum(p => p.Count));
    }

    /// <summary>Runs the network over the input in evaluation mode and records every step.</summary>
    private static HelloStep[] Trace(Rnn rnn, Linear head, Tensor inputs)
    {
        rnn.Training = false;
        var hiddenStates = rnn.Forward(inputs).Output; // [1, T, H]
        var logits = head.Forward(hiddenStates);        // [1, T, V]
        rnn.Training = true;
        int t = inputs.Dim(1), v = inputs.Dim(2), h = hiddenStates.Dim(2);
        var trace = new HelloStep[t];
        for (int i = 0; i < t; i++)
        {
            var p = Softmax(logits.Span.Slice(i * v, v));
            int best = Array.IndexOf(p, p.Max());
            trace[i] = new HelloStep(Word[i], Word[i + 1], inputs.Span.Slice(i * v, v).ToArray(), hiddenStates.Span.Slice(i * h, h).ToArray(), p, Vocabulary[best]);
        }
        return trace;
    }

    /// <summary>p_j = exp(y_j - max y) / Σ_k exp(y_k - max y).</summary>
    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (float y in logits) max = Math.Max(max, y);
        var p = new double[logits.Length];
        for (int j = 0; j < p.Length; j++) p[j] = Math.Exp(logits[j] - max);
        double sum = p.Sum();
        for (int j = 0; j < p.Length; j++) p[j] /= sum;
        return p;
    }
}
