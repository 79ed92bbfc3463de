using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recur.Training.Optimizers;

/// <summary>
/// One optimizer's per-element update, written once over 8 lanes. Every optimizer here is elementwise: element i of
/// the parameter changes from element i of its gradient and of at most three state tensors, so one pass over memory
/// does the whole step (PyTorch makes one pass per tensor op; each lane here rounds exactly as those ops do).
/// </summary>
internal interface IElementwiseRule
{
    /// <summary>Updates 8 elements: <paramref name="w"/> parameter, <paramref name="g"/> gradient, <paramref name="a"/>,
    /// <paramref name="b"/>, <paramref name="c"/> state slots (zeros when the rule does not use them).</summary>
    void Apply(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c);
}

/// <summary>Runs an <see cref="IElementwiseRule"/> over a parameter; allocation-free.</summary>
internal static class ElementwiseUpdate
{
    private const int Lanes = 8;

    /// <summary>
    /// Applies <paramref name="rule"/> to every element. <paramref name="a"/>, <paramref name="b"/>, <paramref name="c"/>
    /// are the state slots, each either as long as <paramref name="w"/> or empty when the rule does not use it.
    /// The last partial vector runs on zero-padded copies so that the tail rounds exactly like the body.
    /// </summary>
    public static void Run<TRule>(in TRule rule, Span<float> w, ReadOnlySpan<float> g, Span<float> a, Span<float> b, Span<float> c)
        where TRule : struct, IElementwiseRule
    {
        int n = w.Length;
        bool hasA = !a.IsEmpty, hasB = !b.IsEmpty, hasC = !c.IsEmpty;
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        int i = 0;
        for (; i <= n - Lanes; i += Lanes)
        {
            nuint k = (nuint)i;
            var vw = Vector256.LoadUnsafe(ref rw, k);
            var vg = Vector256.LoadUnsafe(ref rg, k);
            var va = hasA ? Vector256.LoadUnsafe(ref ra, k) : default;
            var vb = hasB ? Vector256.LoadUnsafe(ref rb, k) : default;
            var vc = hasC ? Vector256.LoadUnsafe(ref rc, k) : default;
            rule.Apply(ref vw, vg, ref va, ref vb, ref vc);
            vw.StoreUnsafe(ref rw, k);
            if (hasA) va.StoreUnsafe(ref ra, k);
            if (hasB) vb.StoreUnsafe(ref rb, k);
            if (hasC) vc.StoreUnsafe(ref rc, k);
        }
        if (i < n) Tail(rule, w[i..], g[i..], hasA ? a[i..] : default, hasB ? b[i..] : default, hasC ? c[i..] : default);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Tail<TRule>(in TRule rule, Span<float> w, ReadOnlySpan<float> g, Span<float> a, Span<float> b, Span<float> c)
        where TRule : struct, IElementwiseRule
    {
        Span<float> lanes = stackalloc float[5 * Lanes];
        lanes.Clear();
        Span<float> tw = lanes[..Lanes], tg = lanes.Slice(Lanes, Lanes), ta = lanes.Slice(2 * Lanes, Lanes),
            tb = lanes.Slice(3 * Lanes, Lanes), tc = lanes.Slice(4 * Lanes, Lanes);
        w.CopyTo(tw); g.CopyTo(tg); a.CopyTo(ta); b.CopyTo(tb); c.CopyTo(tc);
        var vw = Vector256.Create<float>(tw);
        var va = Vector256.Create<float>(ta);
        var vb = Vector256.Create<float>(tb);
        var vc = Vector256.Create<float>(tc);
        rule.Apply(ref vw, Vector256.Create<float>(tg), ref va, ref vb, ref vc);
        vw.CopyTo(tw); va.CopyTo(ta); vb.CopyTo(tb); vc.CopyTo(tc);
        tw[..w.Length].CopyTo(w);
        ta[..a.Length].CopyTo(a);
        tb[..b.Length].CopyTo(b);
        tc[..c.Length].CopyTo(c);
    }
}
