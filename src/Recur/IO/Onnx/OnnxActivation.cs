namespace Recur.IO.Onnx;

/// <summary>
/// An activation function of an ONNX RNN/GRU/LSTM node (the <c>activations</c> attribute), with its alpha/beta:
/// <code>
///   Sigmoid 1/(1+e^-x)   Tanh tanh x   Relu max(0, x)   Softsign x/(1+|x|)   Softplus log(1+e^x)
///   Affine a·x+b (a=1, b=0)   LeakyRelu x≥0 ? x : a·x (a=0.01)   ThresholdedRelu x≥a ? x : 0 (a=1)
///   ScaledTanh a·tanh(b·x) (a=1, b=1)   HardSigmoid min(max(a·x+b, 0), 1) (a=0.2, b=0.5)   Elu x≥0 ? x : a·(e^x−1) (a=1)
/// </code>
/// activation_alpha / activation_beta are consumed in order by the functions that take that parameter (a list shorter
/// than that leaves the defaults shown); names are matched case-insensitively.
/// </summary>
internal readonly record struct OnnxActivation(OnnxActivation.Function Kind, float Alpha, float Beta)
{
    public enum Function { Sigmoid, Tanh, Relu, Softsign, Softplus, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu }

    public static readonly OnnxActivation Sigmoid = new(Function.Sigmoid, 0, 0);
    public static readonly OnnxActivation Tanh = new(Function.Tanh, 0, 0);
    public static readonly OnnxActivation Relu = new(Function.Relu, 0, 0);

    /// <summary>Parses <paramref name="names"/> with their alpha/beta lists; errors name <paramref name="node"/>.</summary>
    public static OnnxActivation[] Parse(OnnxNode node, string[] names, float[]? alphas, float[]? betas)
    {
        int ia = 0, ib = 0;
        var result = new OnnxActivation[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            if (!Enum.TryParse<Function>(names[i], ignoreCase: true, out var kind) || int.TryParse(names[i], out _))
                throw node.Unsupported("activations", $"activation '{names[i]}' is not supported (supported: {string.Join(", ", Enum.GetNames<Function>())})");
            (bool usesAlpha, float alpha, bool usesBeta, float beta) = kind switch
            {
                Function.Affine => (true, 1f, true, 0f),
                Function.LeakyRelu => (true, 0.01f, false, 0f),
                Function.ThresholdedRelu => (true, 1f, false, 0f),
                Function.ScaledTanh => (true, 1f, true, 1f),
                Function.HardSigmoid => (true, 0.2f, true, 0.5f),
                Function.Elu => (true, 1f, false, 0f),
                _ => (false, 0f, false, 0f),
            };
            if (usesAlpha && alphas is not null && ia < alphas.Length) alpha = alphas[ia++];
            if (usesBeta && betas is not null && ib < betas.Length) beta = betas[ib++];
            result[i] = new OnnxActivation(kind, alpha, beta);
        }
        return result;
    }

    public float Apply(float x) => Kind switch
    {
        Function.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        Function.Tanh => MathF.Tanh(x),
        Function.Relu => x < 0 ? 0 : x,
        Function.Softsign => x / (1 + MathF.Abs(x)),
        Function.Softplus => x > 20 ? x : MathF.Log(1 + MathF.Exp(x)),
        Function.Affine => Alpha * x + Beta,
        Function.LeakyRelu => x >= 0 ? x : Alpha * x,
        Function.ThresholdedRelu => x >= Alpha ? x : 0,
        Function.ScaledTanh => Alpha * MathF.Tanh(Beta * x),
        Function.HardSigmoid => MathF.Min(MathF.Max(Alpha * x + Beta, 0), 1),
        Function.Elu => x >= 0 ? x : Alpha * (MathF.Exp(x) - 1),
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    public override string ToString() => Kind.ToString();
}
