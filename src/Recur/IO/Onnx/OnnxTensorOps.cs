using Recur.IO.Onnx.Protos;
using Recur.Tensors;

namespace Recur.IO.Onnx;

/// <summary>
/// Operators that move, select or re-describe elements without arithmetic (any element type): Identity, Constant,
/// ConstantOfShape, Shape, Cast, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Slice, Gather, Expand, TopK,
/// ScatterElements. Each <c>Compile</c> method reads the node's attributes once and returns the kernel.
/// </summary>
internal static class OnnxTensorOps
{
    public static OnnxKernel Identity(OnnxNode node) => inputs => [node.Required(inputs, 0, "input")];

    public static OnnxKernel Constant(OnnxNode node)
    {
        OnnxValue value;
        if (node.Tensor("value") is { } t) value = t;
        else if (node.Has("value_float")) value = OnnxValue.Float([node.Float("value_float", 0)], []);
        else if (node.Floats("value_floats") is { } fs) value = OnnxValue.Float(fs, [fs.Length]);
        else if (node.Has("value_int")) value = OnnxValue.Scalar(node.Int("value_int", 0));
        else if (node.Ints("value_ints") is { } ls) value = OnnxValue.Integer(OnnxElementType.Int64, ls, [ls.Length]);
        else throw node.Invalid("needs one of the attributes value, value_float, value_floats, value_int, value_ints");
        return _ => [value];
    }

    public static OnnxKernel ConstantOfShape(OnnxNode node)
    {
        var fill = node.Tensor("value") ?? OnnxValue.Float([0f], [1]);
        if (fill.Length != 1) throw node.Invalid($"attribute 'value' must hold one element, got {Shape.Format(fill.Shape)}");
        return inputs =>
        {
            int[] shape = ToShape(node, node.RequiredIntegers(inputs, 0, "shape"), "shape");
            int n = Shape.ElementCount(shape);
            if (fill.IsFloat) return [OnnxValue.Float(Filled(n, fill.Floats[0]), shape)];
            return [OnnxValue.Integer(fill.ElementType, Filled(n, fill.Integers[0]), shape)];
        };
    }

    public static OnnxKernel ShapeOf(OnnxNode node)
    {
        long start = node.Int("start", 0), end = node.Int("end", long.MaxValue);
        return inputs =>
        {
            var x = node.Required(inputs, 0, "data");
            int r = x.Rank;
            int s = (int)Math.Clamp(start < 0 ? start + r : start, 0, r);
            int e = (int)Math.Clamp(end < 0 ? end + r : end, 0, r);
            var dims = new long[Math.Max(0, e - s)];
            for (int i = 0; i < dims.Length; i++) dims[i] = x.Shape[s + i];
            return [OnnxValue.Integer(OnnxElementType.Int64, dims, [dims.Length])];
        };
    }

    public static OnnxKernel Cast(OnnxNode node)
    {
        const long Double = (long)TensorProto.Types.DataType.Double; // computed in float32, like a DOUBLE initializer
        long to = node.Int("to", 0);
        if (to is not ((long)OnnxElementType.Float or (long)OnnxElementType.Int32 or (long)OnnxElementType.Int64 or (long)OnnxElementType.Bool or Double))
            throw node.Unsupported("to", $"cast to {OnnxTensorCodec.DataTypeName((int)to)} is not supported (FLOAT, DOUBLE as float, INT32, INT64, BOOL are)");
        var target = to == Double ? OnnxElementType.Float : (OnnxElementType)to;
        return inputs =>
        {
            var x = node.Required(inputs, 0, "input");
            if (target == OnnxElementType.Float)
                return [x.IsFloat ? x : OnnxValue.Float(Array.ConvertAll(x.IntegerArray, v => (float)v), x.ShapeArray)];
            long[] data = x.IsFloat
                ? Array.ConvertAll(x.FloatArray, v => target == OnnxElementType.Bool ? (v != 0 ? 1L : 0L) : FloatToInteger(node, v, target))
                : Array.ConvertAll(x.IntegerArray, v => target switch
                {
                    OnnxElementType.Bool => v != 0 ? 1L : 0L,
                    OnnxElementType.Int32 => (int)v, // wraps like a C cast
                    _ => v,
                });
            return [OnnxValue.Integer(target, data, x.ShapeArray)];
        };
    }

    public static OnnxKernel Reshape(OnnxNode node)
    {
        bool allowZero = node.Int("allowzero", 0) != 0;
        return inputs =>
        {
            var x = node.Required(inputs, 0, "data");
            long[] spec = node.RequiredIntegers(inputs, 1, "shape");
            var shape = new int[spec.Length];
            int infer = -1;
            long known = 1;
            for (int i = 0; i < spec.Length; i++)
            {
                long d = spec[i];
                if (d == 0 && !allowZero)
                {
                    if (i >= x.Rank) throw node.Invalid($"shape {Fmt(spec)} copies dimension {i} (0) but the input is {Shape.Format(x.Shape)}");
                    d = x.Shape[i];
                }
                if (d == -1)
                {
                    if (infer >= 0) throw node.Invalid($"shape {Fmt(spec)} has more than one -1");
                    infer = i;
                    continue;
                }
                if (d < 0 || d > int.MaxValue) throw node.Invalid($"shape {Fmt(spec)} has dimension {d}");
                shape[i] = (int)d;
                known *= d;
            }
            if (infer >= 0)
            {
                if (known == 0 || x.Length % known != 0) throw node.Invalid($"cannot reshape {Shape.Format(x.Shape)} ({x.Length} elements) to {Fmt(spec)}");
                shape[infer] = (int)(x.Length / known);
            }
            else if (known != x.Length) throw node.Invalid($"cannot reshape {Shape.Format(x.Shape)} ({x.Length} elements) to {Fmt(spec)}");
            return [x.WithShape(shape)];
        };
    }

    public static OnnxKernel Squeeze(OnnxNode node)
    {
        long[]? attrAxes = node.Ints("axes");
        return inputs =>
        {
            var x = node.Required(inputs, 0, "data");
            long[]? axes = attrAxes ?? (inputs.Length > 1 && inputs[1] is not null ? node.RequiredIntegers(inputs, 1, "axes") : null);
            var drop = new bool[x.Rank];
            if (axes is null)
                for (int i = 0; i < x.Rank; i++) drop[i] = x.Shape[i] == 1;
            else
                foreach (long a in axes)
                {
                    int ax = node.Axis(a, x.Rank);
                    if (x.Shape[ax] != 1) throw node.Invalid($"cannot squeeze axis {ax} of size {x.Shape[ax]} (input {Shape.Format(x.Shape)})");
                    drop[ax] = true;
                }
            var shape = new List<int>();
            for (int i = 0; i < x.Rank; i++) if (!drop[i]) shape.Add(x.Shape[i]);
            return [x.WithShape([.. shape])];
        };
    }

    public static OnnxKernel Unsqueeze(OnnxNode node)
    {
        long[]? attrAxes = node.Ints("axes");
        return inputs =>
        {
            var x = node.Required(inputs, 0, "data");
            long[] axes = attrAxes ?? node.RequiredIntegers(inputs, 1, "axes");
            int rank = x.Rank + axes.Length;
            var inserted = new bool[rank];
            foreach (long a in axes)
            {
                int ax = node.Axis(a, rank);
                if (inserted[ax]) throw node.Invalid($"axis {a} is given twice");
                inserted[ax] = true;
            }
            var shape = new int[rank];
            for (int i = 0, j = 0; i < rank; i++) shape[i] = inserted[i] ? 1 : x.Shape[j++];
            return [x.WithShape(shape)];
        };
    }

    public static OnnxKernel Transpose(OnnxNode node)
    {
        long[]? perm = node.Ints("perm");
        return inputs =>
        {
            var x = node.Required(inputs, 0, "data");
            int r = x.Rank;
            var p = new int[r];
            if (perm is null) for (int i = 0; i < r; i++) p[i] = r - 1 - i;
            else
            {
                if (perm.Length != r) throw node.Invalid($"perm {Fmt(perm)} does not match the rank of input {Shape.Format(x.Shape)}");
                var seen = new bool[r];
                for (int i = 0; i < r; i++)
                {
                    if (perm[i] < 0 || perm[i] >= r || seen[perm[i]]) throw node.Invalid($"perm {Fmt(perm)} is not a permutation of 0..{r - 1}");
                    seen[perm[i]] = true;
                    p[i] = (int)perm[i];
                }
            }
            return [Permute(x, p)];
        };
    }

    /// <summary>y = x with axes reordered: y.shape[i] = x.shape[perm[i]].</summary>
    public static OnnxValue Permute(OnnxValue x, int[] perm)
    {
        var inStrides = OnnxIndexing.Strides(x.Shape);
        var shape = new int[perm.Length];
        var strides = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++)
        {
            shape[i] = x.Shape[perm[i]];
            strides[i] = inStrides[perm[i]];
        }
        return x.IsFloat
            ? OnnxValue.Float(OnnxIndexing.Gather(x.FloatArray, shape, strides), shape)
            : OnnxValue.Integer(x.ElementType, OnnxIndexing.Gather(x.IntegerArray, shape, strides), shape);
    }

    public static OnnxKernel Concat(OnnxNode node)
    {
        if (!node.Has("axis")) throw node.Invalid("attribute 'axis' is required");
        long axisAttr = node.Int("axis", 0);
        return inputs =>
        {
            var parts = inputs.Where(v => v is not null).Select(v => v!).ToArray();
            if (parts.Length == 0) throw node.Invalid("needs at least one input");
            var first = parts[0];
            int axis = node.Axis(axisAttr, first.Rank);
            var shape = first.ShapeArray.ToArray();
            shape[axis] = 0;
            foreach (var p in parts)
            {
                bool same = p.ElementType == first.ElementType && p.Rank == first.Rank;
                for (int i = 0; same && i < p.Rank; i++) same = i == axis || p.Shape[i] == first.Shape[i];
                if (!same) throw node.Invalid($"inputs {first} and {p} cannot be concatenated on axis {axis}");
                shape[axis] += p.Shape[axis];
            }
            int outer = OnnxIndexing.Product(shape, 0, axis);
            return [first.IsFloat
                ? OnnxValue.Float(ConcatData(parts.Select(p => p.FloatArray).ToArray(), parts, axis, outer), shape)
                : OnnxValue.Integer(first.ElementType, ConcatData(parts.Select(p => p.IntegerArray).ToArray(), parts, axis, outer), shape)];
        };
    }

    private static T[] ConcatData<T>(T[][] data, OnnxValue[] parts, int axis, int outer)
    {
        var dst = new T[data.Sum(d => d.Length)];
        int at = 0;
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < data.Length; k++)
            {
                int block = OnnxIndexing.Product(parts[k].Shape, axis, parts[k].Rank);
                data[k].AsSpan(o * block, block).CopyTo(dst.AsSpan(at));
                at += block;
            }
        return dst;
    }

    public static OnnxKernel Slice(OnnxNode node)
    {
        // Before opset 10 starts/ends/axes were attributes; since then they are inputs (plus steps).
        long[]? attrStarts = node.Ints("starts"), attrEnds = node.Ints("ends"), attrAxes = node.Ints("axes");
        return inputs =>
        {
            var x = node.Required(inputs, 0, "data");
            long[] starts = attrStarts ?? node.RequiredIntegers(inputs, 1, "starts");
            long[] ends = attrEnds ?? node.RequiredIntegers(inputs, 2, "ends");
            long[]? axes = attrAxes ?? (inputs.Length > 3 && inputs[3] is not null ? node.RequiredIntegers(inputs, 3, "axes") : null);
            long[]? steps = attrStarts is null && inputs.Length > 4 && inputs[4] is not null ? node.RequiredIntegers(inputs, 4, "steps") : null;
            if (ends.Length != starts.Length || (axes is not null && axes.Length != starts.Length) || (steps is not null && steps.Length != starts.Length))
                throw node.Invalid($"starts, ends, axes and steps must have the same length, got {starts.Length}, {ends.Length}, {axes?.Length}, {steps?.Length}");
            int r = x.Rank;
            var shape = x.ShapeArray.ToArray();
            var inStrides = OnnxIndexing.Strides(x.Shape);
            var strides = inStrides.ToArray();
            int offset = 0;
            for (int i = 0; i < starts.Length; i++)
            {
                int ax = node.Axis(axes?[i] ?? i, r);
                long step = steps?[i] ?? 1;
                if (step == 0) throw node.Invalid("a step of 0 is not allowed");
                long d = x.Shape[ax], s = starts[i], e = ends[i];
                if (s < 0) s += d;
                if (e < 0) e += d;
                long count;
                if (step > 0)
                {
                    s = Math.Clamp(s, 0, d);
                    e = Math.Clamp(e, 0, d);
                    count = e > s ? (e - s + step - 1) / step : 0;
                }
                else
                {
                    s = Math.Clamp(s, 0, d - 1);
                    e = Math.Clamp(e, -1, d - 1);
                    count = s > e ? (s - e - step - 1) / -step : 0;
                }
                shape[ax] = (int)count;
                if (count > 0) offset += (int)s * inStrides[ax];
                strides[ax] = (int)(inStrides[ax] * step);
            }
            return [x.IsFloat
                ? OnnxValue.Float(OnnxIndexing.Gather(x.FloatArray, shape, strides, offset), shape)
                : OnnxValue.Integer(x.ElementType, OnnxIndexing.Gather(x.IntegerArray, shape, strides, offset), shape)];
        };
    }

    public static OnnxKernel Gather(OnnxNode node)
    {
        long axisAttr = node.Int("axis", 0);
        return inputs =>
        {
            var data = node.Required(inputs, 0, "data");
            var indicesValue = node.Required(inputs, 1, "indices");
            long[] indices = node.RequiredIntegers(inputs, 1, "indices");
            if (data.Rank == 0) throw node.Invalid("data must have rank >= 1");
            int axis = node.Axis(axisAttr, data.Rank);
            int dim = data.Shape[axis];
            int outer = OnnxIndexing.Product(data.Shape, 0, axis), inner = OnnxIndexing.Product(data.Shape, axis + 1, data.Rank);
            var rows = new int[indices.Length];
            for (int i = 0; i < indices.Length; i++)
            {
                long k = indices[i] < 0 ? indices[i] + dim : indices[i];
                if (k < 0 || k >= dim) throw node.Invalid($"index {indices[i]} (at {i}) is outside [{-dim}, {dim}) for axis {axis} of data {Shape.Format(data.Shape)}");
                rows[i] = (int)k;
            }
            int[] shape = [.. data.Shape[..axis], .. indicesValue.Shape, .. data.Shape[(axis + 1)..]];
            return [data.IsFloat
                ? OnnxValue.Float(GatherRows(data.FloatArray, rows, outer, dim, inner), shape)
                : OnnxValue.Integer(data.ElementType, GatherRows(data.IntegerArray, rows, outer, dim, inner), shape)];
        };
    }

    private static T[] GatherRows<T>(T[] src, int[] rows, int outer, int dim, int inner)
    {
        var dst = new T[outer * rows.Length * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < rows.Length; i++)
                src.AsSpan((o * dim + rows[i]) * inner, inner).CopyTo(dst.AsSpan((o * rows.Length + i) * inner));
        return dst;
    }

    public static OnnxKernel Expand(OnnxNode node) => inputs =>
    {
        var x = node.Required(inputs, 0, "input");
        int[] target = ToShape(node, node.RequiredIntegers(inputs, 1, "shape"), "shape");
        int[] shape = OnnxIndexing.BroadcastShape(node, x.Shape, target);
        var strides = OnnxIndexing.BroadcastStrides(x.Shape, shape);
        return [x.IsFloat
            ? OnnxValue.Float(OnnxIndexing.Gather(x.FloatArray, shape, strides), shape)
            : OnnxValue.Integer(x.ElementType, OnnxIndexing.Gather(x.IntegerArray, shape, strides), shape)];
    };

    public static OnnxKernel TopK(OnnxNode node)
    {
        long axisAttr = node.Int("axis", -1);
        bool largest = node.Int("largest", 1) != 0;
        return inputs =>
        {
            var x = node.Required(inputs, 0, "X");
            long[] kValue = node.RequiredIntegers(inputs, 1, "K");
            if (kValue.Length != 1) throw node.Invalid($"K must hold one value, got {kValue.Length}");
            int axis = node.Axis(axisAttr, x.Rank);
            int dim = x.Shape[axis];
            if (kValue[0] < 0 || kValue[0] > dim) throw node.Invalid($"K = {kValue[0]} is outside [0, {dim}] (axis {axis} of {Shape.Format(x.Shape)})");
            int k = (int)kValue[0];
            int outer = OnnxIndexing.Product(x.Shape, 0, axis), inner = OnnxIndexing.Product(x.Shape, axis + 1, x.Rank);
            var shape = x.ShapeArray.ToArray();
            shape[axis] = k;
            var order = new int[dim];
            var keys = new double[dim];
            var indices = new long[outer * k * inner];
            var from = new int[outer * k * inner]; // flat source position of each output element
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    for (int i = 0; i < dim; i++)
                    {
                        int at = (o * dim + i) * inner + j;
                        keys[i] = x.IsFloat ? x.Floats[at] : x.Integers[at];
                        order[i] = i;
                    }
                    // ties: the lower index first, as ONNX specifies
                    Array.Sort(order, (p, q) => keys[p] != keys[q] ? (largest ? keys[q].CompareTo(keys[p]) : keys[p].CompareTo(keys[q])) : p.CompareTo(q));
                    for (int i = 0; i < k; i++)
                    {
                        int at = (o * k + i) * inner + j;
                        indices[at] = order[i];
                        from[at] = (o * dim + order[i]) * inner + j;
                    }
                }
            var valueOut = x.IsFloat
                ? OnnxValue.Float(Array.ConvertAll(from, p => x.FloatArray[p]), shape)
                : OnnxValue.Integer(x.ElementType, Array.ConvertAll(from, p => x.IntegerArray[p]), shape);
            return [valueOut, OnnxValue.Integer(OnnxElementType.Int64, indices, shape)];
        };
    }

    public static OnnxKernel ScatterElements(OnnxNode node)
    {
        long axisAttr = node.Int("axis", 0);
        if (node.String("reduction") is { } reduction && reduction != "none")
            throw node.Unsupported("reduction", $"'{reduction}' is not supported (only 'none')");
        return inputs =>
        {
            var data = node.Required(inputs, 0, "data");
            var indicesValue = node.Required(inputs, 1, "indices");
            long[] indices = node.RequiredIntegers(inputs, 1, "indices");
            var updates = node.Required(inputs, 2, "updates");
            if (!indicesValue.Shape.SequenceEqual(updates.Shape) || indicesValue.Rank != data.Rank || updates.ElementType != data.ElementType)
                throw node.Invalid($"indices {indicesValue} and updates {updates} must have one shape, of data's rank and type ({data})");
            int axis = node.Axis(axisAttr, data.Rank);
            var dataStrides = OnnxIndexing.Strides(data.Shape);
            var idxShape = indicesValue.ShapeArray;
            var target = new int[indices.Length];
            Span<int> pos = stackalloc int[idxShape.Length];
            for (int n = 0; n < indices.Length; n++)
            {
                int rem = n, offset = 0;
                for (int ax = idxShape.Length - 1; ax >= 0; ax--)
                {
                    pos[ax] = rem % idxShape[ax];
                    rem /= idxShape[ax];
                }
                for (int ax = 0; ax < idxShape.Length; ax++)
                {
                    long p = pos[ax];
                    if (ax == axis)
                    {
                        p = indices[n] < 0 ? indices[n] + data.Shape[axis] : indices[n];
                        if (p < 0 || p >= data.Shape[axis]) throw node.Invalid($"index {indices[n]} is outside axis {axis} of data {Shape.Format(data.Shape)}");
                    }
                    else if (p >= data.Shape[ax]) throw node.Invalid($"indices {Shape.Format(idxShape)} exceed data {Shape.Format(data.Shape)} on axis {ax}");
                    offset += (int)p * dataStrides[ax];
                }
                target[n] = offset;
            }
            if (data.IsFloat)
            {
                var dst = data.FloatArray.ToArray();
                for (int n = 0; n < target.Length; n++) dst[target[n]] = updates.Floats[n];
                return [OnnxValue.Float(dst, data.ShapeArray)];
            }
            var idst = data.IntegerArray.ToArray();
            for (int n = 0; n < target.Length; n++) idst[target[n]] = updates.Integers[n];
            return [OnnxValue.Integer(data.ElementType, idst, data.ShapeArray)];
        };
    }

    /// <summary>A shape given as an int64 tensor; every dimension must be in [0, int.MaxValue].</summary>
    public static int[] ToShape(OnnxNode node, long[] dims, string what)
    {
        var shape = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0 || dims[i] > int.MaxValue) throw node.Invalid($"{what} {Fmt(dims)} has dimension {dims[i]}");
            shape[i] = (int)dims[i];
        }
        return shape;
    }

    private static long FloatToInteger(OnnxNode node, float v, OnnxElementType target)
    {
        double t = Math.Truncate(v);
        double min = target == OnnxElementType.Int32 ? int.MinValue : long.MinValue, max = target == OnnxElementType.Int32 ? int.MaxValue : long.MaxValue;
        if (!(t >= min && t <= max)) throw node.Invalid($"cannot cast {v} to {target}");
        return (long)t;
    }

    private static T[] Filled<T>(int n, T v)
    {
        var a = new T[n];
        Array.Fill(a, v);
        return a;
    }

    private static string Fmt(long[] v) => "[" + string.Join(", ", v) + "]";
}
