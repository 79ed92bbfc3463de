namespace Recur.Tensors;

/// <summary>
/// A 2-D row-major window over a float buffer: <see cref="Rows"/> x <see cref="Cols"/> with consecutive rows
/// <see cref="Stride"/> elements apart (BLAS's leading dimension). It is how a time step of a batch-first
/// [B, T, F] tensor becomes a [B, F] GEMM operand without a copy (stride T*F). A struct: making one allocates nothing.
/// </summary>
public readonly struct StridedMatrix
{
    /// <summary>Creates a view; checks that every addressed element lies inside <paramref name="data"/>.</summary>
    public StridedMatrix(float[] data, int offset, int rows, int cols, int stride)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"matrix view [{rows}, {cols}] has a negative dimension");
        if (rows > 1 && stride < cols) throw new ArgumentOutOfRangeException(nameof(stride), $"stride {stride} is smaller than the row length {cols}");
        long last = rows == 0 || cols == 0 ? offset : offset + (long)(rows - 1) * stride + cols;
        if (offset < 0 || last > data.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"matrix view [{rows}, {cols}] at offset {offset} with stride {stride} does not fit in a buffer of {data.Length} floats");
        Data = data;
        Offset = offset;
        Rows = rows;
        Cols = cols;
        Stride = rows > 1 ? stride : Math.Max(stride, cols);
    }

    /// <summary>The underlying buffer (shared, not copied).</summary>
    public float[] Data { get; }

    /// <summary>Index of element [0, 0] in <see cref="Data"/>.</summary>
    public int Offset { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>Distance between the starts of consecutive rows (leading dimension).</summary>
    public int Stride { get; }

    /// <summary>The span from element [0, 0] to the last element: what a GEMM with leading dimension <see cref="Stride"/> reads.</summary>
    public Span<float> Span => Rows == 0 || Cols == 0 ? Span<float>.Empty : Data.AsSpan(Offset, (Rows - 1) * Stride + Cols);

    /// <summary>Row <paramref name="r"/> as a span of <see cref="Cols"/> elements.</summary>
    public Span<float> Row(int r)
    {
        if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(r), $"row {r} is outside [0, {Rows})");
        return Data.AsSpan(Offset + r * Stride, Cols);
    }

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a view with the same stride.</summary>
    public StridedMatrix RowRange(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) are outside [0, {Rows})");
        return new StridedMatrix(Data, Offset + start * Stride, count, Cols, Stride);
    }

    /// <summary>Element [r, c].</summary>
    public ref float this[int r, int c] => ref Row(r)[c];

    /// <summary>True when rows follow each other without gaps.</summary>
    public bool IsContiguous => Stride == Cols || Rows <= 1;

    /// <inheritdoc />
    public override string ToString() => $"StridedMatrix [{Rows}, {Cols}] stride {Stride}";
}
