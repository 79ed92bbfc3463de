namespace Recur.IO.Onnx;

/// <summary>
/// Element types the ONNX interpreter computes with; the values are ONNX's <c>TensorProto.DataType</c> codes.
/// Floats are float32; integers and booleans are held as <see cref="long"/> (one per element) whatever their width.
/// </summary>
public enum OnnxElementType
{
    /// <summary>float32 (ONNX FLOAT = 1).</summary>
    Float = 1,

    /// <summary>int32 (ONNX INT32 = 6), e.g. RNN <c>sequence_lens</c>.</summary>
    Int32 = 6,

    /// <summary>int64 (ONNX INT64 = 7): token indices, shapes, axes.</summary>
    Int64 = 7,

    /// <summary>bool (ONNX BOOL = 9), held as 0 or 1.</summary>
    Bool = 9,
}
