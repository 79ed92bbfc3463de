using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A trainable tensor with its gradient, named as in a PyTorch <c>state_dict</c> (e.g. <c>weight_ih_l0</c>).
/// Backward passes add into <see cref="Grad"/> (gradients accumulate, as in PyTorch); optimizers read it and
/// <see cref="ZeroGrad"/> clears it.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a zero-initialised parameter of <paramref name="shape"/>.</summary>
    public Parameter(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Value = new Tensor(shape);
        Grad = new Tensor(shape);
    }

    /// <summary>The name within its owner (a module prefixes it with its own path).</summary>
    public string Name { get; }

    /// <summary>The values.</summary>
    public Tensor Value { get; }

    /// <summary>The accumulated gradient, same shape as <see cref="Value"/>.</summary>
    public Tensor Grad { get; }

    /// <summary>When false, optimizers leave this parameter unchanged (its gradient is still computed).</summary>
    public bool RequiresGrad { get; set; } = true;

    /// <summary>Number of scalar values.</summary>
    public int Count => Value.Length;

    /// <summary>Clears the gradient.</summary>
    public void ZeroGrad() => Grad.Clear();

    /// <summary>Copies <paramref name="values"/> in after checking the shape (naming this parameter on mismatch).</summary>
    public void Load(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        values.CheckShape(Name, Value.Shape.ToArray());
        values.Span.CopyTo(Value.Span);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Shape.Format(Value.Shape)}";
}
