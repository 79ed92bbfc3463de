using Recur.Tensors;

namespace Recur.Ops;

/// <summary>
/// A value in a differentiable computation recorded on a <see cref="Tape"/>: its tensor, the gradient of the loss
/// with respect to it (filled by <see cref="Tape.Backward"/>), and whether gradients flow into it at all.
/// </summary>
public sealed class Var
{
    internal Var()
    {
    }

    internal Var Set(Tensor value, bool requiresGrad, Tensor? grad)
    {
        Value = value;
        RequiresGrad = requiresGrad;
        Grad = grad;
        return this;
    }

    /// <summary>The value.</summary>
    public Tensor Value { get; private set; } = null!;

    /// <summary>∂L/∂Value after <see cref="Tape.Backward"/> (null when nothing flowed into it).</summary>
    public Tensor? Grad { get; internal set; }

    /// <summary>Whether the loss is differentiated with respect to this value (inputs that are data: false).</summary>
    public bool RequiresGrad { get; private set; }

    /// <summary>The shape of <see cref="Value"/>.</summary>
    public ReadOnlySpan<int> Shape => Value.Shape;

    /// <inheritdoc />
    public override string ToString() => $"Var {Tensors.Shape.Format(Value.Shape)}{(RequiresGrad ? " (grad)" : "")}";
}

/// <summary>One recorded operation: it knows its inputs and outputs and how to send gradients back.</summary>
public abstract class Node
{
    /// <summary>Adds ∂L/∂input to each input that requires it, from the gradients of the outputs.</summary>
    internal abstract void Backward(Tape tape);
}
