using Recur.Tensors;

namespace Recur.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void Row_and_time_step_views_share_storage()
    {
        // [B=2, T=3, F=4] filled with b*100 + t*10 + f.
        var x = new Tensor(2, 3, 4);
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 3; t++)
                for (int f = 0; f < 4; f++)
                    x[b, t, f] = b * 100 + t * 10 + f;

        var row = x.Row(1);
        Assert.Equal([3, 4], row.Shape.ToArray());
        Assert.Equal(121f, row[2, 1]);

        var step = x.TimeStep(2);
        Assert.Equal(2, step.Rows);
        Assert.Equal(4, step.Cols);
        Assert.Equal(12, step.Stride);
        Assert.Equal(23f, step[0, 3]);
        Assert.Equal(120f, step[1, 0]);

        step[1, 0] = -1;
        Assert.Equal(-1f, x[1, 2, 0]);
    }

    [Fact]
    public void Reshape_infers_one_dimension_and_rejects_wrong_counts()
    {
        var x = new Tensor(2, 3, 4);
        Assert.Equal([6, 4], x.Reshape(-1, 4).Shape.ToArray());
        var e = Assert.Throws<ShapeMismatchException>(() => x.Reshape(5, 5));
        Assert.Contains("[5, 5]", e.Message);
        Assert.Contains("24", e.Message);
    }

    [Fact]
    public void CheckShape_names_argument_and_both_shapes()
    {
        var x = new Tensor(32, 64);
        var e = Assert.Throws<ShapeMismatchException>(() => x.CheckShape("input", 32, 100, 64));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("[32, 100, 64]", e.Message);
        Assert.Contains("[32, 64]", e.Message);
    }

    [Fact]
    public void Ensure_reuses_the_buffer_when_large_enough()
    {
        Tensor? w = null;
        var a = Tensor.Ensure(ref w, 4, 8);
        var b = Tensor.Ensure(ref w, 4, 8);
        Assert.Same(a, b);
        var c = Tensor.Ensure(ref w, 2, 8);
        Assert.Same(a.Buffer, c.Buffer);
        var d = Tensor.Ensure(ref w, 8, 8);
        Assert.NotSame(a.Buffer, d.Buffer);
        Assert.Equal([8, 8], w!.Shape.ToArray());
    }

    [Fact]
    public void Strided_matrix_rejects_views_outside_the_buffer()
    {
        var data = new float[10];
        Assert.Throws<ArgumentOutOfRangeException>(() => new StridedMatrix(data, 0, 3, 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StridedMatrix(data, 1, 3, 2, 4));
        var ok = new StridedMatrix(data, 0, 3, 2, 4); // rows at 0, 4, 8; the last ends at 10
        Assert.Equal(10, ok.Span.Length);
    }

    [Fact]
    public void Row_range_is_a_view_of_consecutive_rows_with_the_same_stride()
    {
        var data = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var m = new StridedMatrix(data, 1, 3, 2, 4); // rows start at 1, 5, 9
        var tail = m.RowRange(1, 2);
        Assert.Equal((2, 2, 4), (tail.Rows, tail.Cols, tail.Stride));
        Assert.Equal([5f, 6f], tail.Row(0).ToArray());
        Assert.Equal([9f, 10f], tail.Row(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => m.RowRange(2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.RowRange(-1, 1));
    }

    [Fact]
    public void Ensure_after_warm_up_allocates_nothing()
    {
        Tensor? w = null;
        Tensor.Ensure(ref w, 16, 3, 7);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Tensor.Ensure(ref w, 16, 3, 7);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
