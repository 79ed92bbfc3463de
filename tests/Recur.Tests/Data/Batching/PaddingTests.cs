using Recur.Data.Batching;
using Recur.Tensors;

namespace Recur.Tests.Data.Batching;

public class PaddingTests
{
    [Fact]
    public void Index_sequences_are_padded_with_any_value_plus_lengths_and_mask()
    {
        int[][] seqs = [[5, 6, 7], [8], [9, 10]];
        var batch = SequencePadding.Pad(seqs, padValue: -1);
        Assert.Equal([3, 3], batch.Shape);
        Assert.Equal([5, 6, 7, 8, -1, -1, 9, 10, -1], batch.Indices.ToArray());
        Assert.Equal([3, 1, 2], batch.Lengths);
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 0, 1, 1, 0 }, batch.Mask.ToArray());
        Assert.Equal([9, 10], batch.Sequence(2));
        Assert.Equal(10, batch[2, 1]);
    }

    [Fact]
    public void Selection_picks_a_batch_and_reuse_keeps_buffers()
    {
        int[][] seqs = [[1, 2, 3, 4], [5], [6, 7]];
        var batch = SequencePadding.Pad(seqs, [2, 1], padValue: 0);
        Assert.Equal([2, 2], batch.Shape);
        Assert.Equal([6, 7, 5, 0], batch.Indices.ToArray());
        var again = SequencePadding.Pad(seqs, [1, 2], padValue: 0, reuse: batch);
        Assert.Same(batch, again);
        Assert.Equal([5, 0, 6, 7], again.Indices.ToArray());
        Assert.Equal([1, 2], again.Lengths);
        Assert.Equal(new float[] { 1, 0, 1, 1 }, again.Mask.ToArray());
        long before = GC.GetAllocatedBytesForCurrentThread();
        SequencePadding.Pad(seqs, [0, 2], padValue: 0, reuse: batch); // [2, 4]: the buffers grow once
        SequencePadding.Pad(seqs, [1, 2], padValue: 0, reuse: batch); // back to [2, 2]
        long first = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) SequencePadding.Pad(seqs, [1, 2], padValue: 0, reuse: batch);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before); // same shape: nothing allocated
        Assert.True(first < 1024, $"reshaping a reused batch allocated {first} bytes");
    }

    [Fact]
    public void Feature_sequences_are_padded_to_B_T_F()
    {
        var a = Tensor.FromValues([1, 2, 3, 4, 5, 6], 3, 2);
        var b = Tensor.FromValues([7, 8], 1, 2);
        var batch = SequencePadding.Pad([a, b], padValue: -1f);
        Assert.Equal([2, 3, 2], batch.Inputs.Shape.ToArray());
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, -1 }, batch.Inputs.ToArray());
        Assert.Equal([3, 1], batch.Lengths);
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 0 }, batch.Mask.ToArray());
        var wrongF = Tensor.FromValues([1, 2, 3], 1, 3);
        Assert.Throws<ShapeMismatchException>(() => SequencePadding.Pad([a, wrongF]));
    }

    [Fact]
    public void Empty_sequences_are_errors_naming_the_index()
    {
        var e = Assert.Throws<ArgumentException>(() => SequencePadding.Pad(new[] { new[] { 1 }, Array.Empty<int>() }));
        Assert.Contains("sequences[1] is empty", e.Message);
        Assert.Contains("sequences[0] is empty", Assert.Throws<ArgumentException>(() => SequencePadding.Pad([new Tensor(0, 3)])).Message);
    }

    [Fact]
    public void One_hot_of_a_padded_batch_leaves_padding_zero()
    {
        var batch = SequencePadding.Pad([[1, 2], [0]], padValue: -1);
        Tensor? workspace = null;
        var x = Recur.Data.Text.OneHot.Encode(batch, 3, ref workspace);
        Assert.Equal([2, 2, 3], x.Shape.ToArray());
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0 }, x.ToArray());
    }
}
