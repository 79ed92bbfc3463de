using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// The state a "stateful" recurrent model carries across truncated-BPTT chunks of a long sequence or stream.
/// <para>What stateful means here, precisely: chunk k+1 starts from the final states (h_n, c_n) that chunk k ended
/// with, row by row (row b of every batch continues row b of the batch before, as
/// <see cref="Data.Batching.LanguageModelBatcher"/> lays out a stream). The forward computation is therefore the same as
/// running the whole sequence at once, but the gradient is cut at chunk boundaries: the carried state enters the next
/// chunk as a constant (detached), so backpropagation reaches back at most one chunk (k steps). The state is reset to
/// zeros by <see cref="Reset"/> (e.g. at each epoch, or when the batch size changes) and per row by
/// <see cref="ResetRows"/> (when a row's sequence ends and a new one begins).</para>
/// </summary>
public sealed class CarriedState
{
    private Tensor? _h, _c;

    /// <summary>True when a state is being carried (false after <see cref="Reset"/>).</summary>
    public bool HasState => _h is not null;

    /// <summary>The carried h [L*D, B, S] as a detached tape input, or null for zeros.</summary>
    public Var? H(Tape tape) => _h is null ? null : tape.Input(_h);

    /// <summary>The carried c [L*D, B, H] (LSTM) as a detached tape input, or null.</summary>
    public Var? C(Tape tape) => _c is null ? null : tape.Input(_c);

    /// <summary>Keeps the final states of the chunk just run (copied, so the tape can be reset).</summary>
    public void Update(RecurrentVars result)
    {
        var hn = result.Hn.Value;
        Tensor.Ensure(ref _h, hn.Dim(0), hn.Dim(1), hn.Dim(2)).CopyFrom(hn);
        if (result.Cn is { } cn) Tensor.Ensure(ref _c, cn.Value.Dim(0), cn.Value.Dim(1), cn.Value.Dim(2)).CopyFrom(cn.Value);
        else _c = null;
    }

    /// <summary>Forgets the state: the next chunk starts from zeros.</summary>
    public void Reset()
    {
        _h = null;
        _c = null;
    }

    /// <summary>Zeroes the state of the batch rows where <paramref name="reset"/> is true (their sequences start anew).</summary>
    public void ResetRows(ReadOnlySpan<bool> reset)
    {
        if (_h is null) return;
        int b = _h.Dim(1);
        if (reset.Length != b) throw new ShapeMismatchException(nameof(reset), $"[{b}]", $"[{reset.Length}]");
        foreach (var t in _c is null ? [_h] : new[] { _h, _c })
        {
            int s = t.Dim(2);
            for (int k = 0; k < t.Dim(0); k++)
                for (int i = 0; i < b; i++)
                    if (reset[i]) t.Span.Slice((k * b + i) * s, s).Clear();
        }
    }

    /// <summary>Resets when the batch size differs from the carried state's (a short last batch, a new stream).</summary>
    public void ResetIfBatchChanged(int batch)
    {
        if (_h is not null && _h.Dim(1) != batch) Reset();
    }
}
