using System.Buffers.Binary;
using Google.Protobuf;
using Recur.IO.Onnx.Protos;

namespace Recur.IO.Onnx;

/// <summary>
/// Converts between ONNX <c>TensorProto</c> messages and <see cref="OnnxValue"/>. Reads FLOAT, DOUBLE (narrowed to
/// float32), INT32, INT64 and BOOL from <c>raw_data</c> (little-endian) or the typed repeated fields; writes raw_data.
/// The declared dims must account for exactly the elements present, so a lying header can never cause an
/// out-of-range read or an allocation larger than the data in the file.
/// </summary>
internal static class OnnxTensorCodec
{
    /// <summary>Decodes <paramref name="proto"/>; <paramref name="context"/> (e.g. "model.onnx: initializer 'W'") prefixes errors.</summary>
    public static OnnxValue Decode(TensorProto proto, string context)
    {
        if (proto.DataLocation == TensorProto.Types.DataLocation.External || proto.ExternalData.Count > 0)
            throw new OnnxFormatException($"{context}: external tensor data is not supported (save the model with its data inside)");
        var shape = new int[proto.Dims.Count];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long d = proto.Dims[i];
            if (d < 0 || d > int.MaxValue) throw new OnnxFormatException($"{context}: dimension {i} is {d}, outside [0, {int.MaxValue}]");
            shape[i] = (int)d;
            count *= d;
            if (count > Array.MaxLength) throw new OnnxFormatException($"{context}: dims [{string.Join(", ", proto.Dims)}] declare more than {Array.MaxLength} elements");
        }
        int n = (int)count;
        var raw = proto.RawData.Span;
        bool hasRaw = !proto.RawData.IsEmpty;
        switch ((TensorProto.Types.DataType)proto.DataType)
        {
            case TensorProto.Types.DataType.Float:
            {
                if (!hasRaw)
                {
                    CheckTyped(proto.FloatData.Count, n, "float_data", context);
                    return OnnxValue.Float(proto.FloatData.ToArray(), shape);
                }
                CheckRaw(raw, n, 4, context);
                var data = new float[n];
                for (int i = 0; i < n; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
                return OnnxValue.Float(data, shape);
            }
            case TensorProto.Types.DataType.Double:
            {
                var data = new float[n];
                if (hasRaw)
                {
                    CheckRaw(raw, n, 8, context);
                    for (int i = 0; i < n; i++) data[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * 8)..]);
                }
                else
                {
                    CheckTyped(proto.DoubleData.Count, n, "double_data", context);
                    for (int i = 0; i < n; i++) data[i] = (float)proto.DoubleData[i];
                }
                return OnnxValue.Float(data, shape);
            }
            case TensorProto.Types.DataType.Int64:
            {
                long[] data;
                if (hasRaw)
                {
                    CheckRaw(raw, n, 8, context);
                    data = new long[n];
                    for (int i = 0; i < n; i++) data[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]);
                }
                else
                {
                    CheckTyped(proto.Int64Data.Count, n, "int64_data", context);
                    data = proto.Int64Data.ToArray();
                }
                return OnnxValue.Integer(OnnxElementType.Int64, data, shape);
            }
            case TensorProto.Types.DataType.Int32:
            {
                var data = new long[n];
                if (hasRaw)
                {
                    CheckRaw(raw, n, 4, context);
                    for (int i = 0; i < n; i++) data[i] = BinaryPrimitives.ReadInt32LittleEndian(raw[(i * 4)..]);
                }
                else
                {
                    CheckTyped(proto.Int32Data.Count, n, "int32_data", context);
                    for (int i = 0; i < n; i++) data[i] = proto.Int32Data[i];
                }
                return OnnxValue.Integer(OnnxElementType.Int32, data, shape);
            }
            case TensorProto.Types.DataType.Bool:
            {
                var data = new long[n];
                if (hasRaw)
                {
                    CheckRaw(raw, n, 1, context);
                    for (int i = 0; i < n; i++) data[i] = raw[i] != 0 ? 1 : 0;
                }
                else
                {
                    CheckTyped(proto.Int32Data.Count, n, "int32_data", context);
                    for (int i = 0; i < n; i++) data[i] = proto.Int32Data[i] != 0 ? 1 : 0;
                }
                return OnnxValue.Integer(OnnxElementType.Bool, data, shape);
            }
            default:
                throw new OnnxFormatException($"{context}: data type {DataTypeName(proto.DataType)} is not supported (FLOAT, DOUBLE, INT32, INT64 and BOOL are)");
        }
    }

    /// <summary>Encodes <paramref name="value"/> as a TensorProto named <paramref name="name"/> with little-endian raw_data.</summary>
    public static TensorProto Encode(OnnxValue value, string name)
    {
        var proto = new TensorProto { Name = name, DataType = (int)value.ElementType };
        foreach (int d in value.Shape) proto.Dims.Add(d);
        int n = value.Length;
        byte[] bytes;
        switch (value.ElementType)
        {
            case OnnxElementType.Float:
                bytes = new byte[n * 4];
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), value.Floats[i]);
                break;
            case OnnxElementType.Int64:
                bytes = new byte[n * 8];
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), value.Integers[i]);
                break;
            case OnnxElementType.Int32:
                bytes = new byte[n * 4];
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), (int)value.Integers[i]);
                break;
            default:
                bytes = new byte[n];
                for (int i = 0; i < n; i++) bytes[i] = (byte)value.Integers[i];
                break;
        }
        proto.RawData = ByteString.CopyFrom(bytes);
        return proto;
    }

    /// <summary>The ONNX name of a data type code, e.g. 10 -> FLOAT16.</summary>
    public static string DataTypeName(int code) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), code) ? ((TensorProto.Types.DataType)code).ToString().ToUpperInvariant() : $"#{code}";

    private static void CheckRaw(ReadOnlySpan<byte> raw, int n, int size, string context)
    {
        if (raw.Length != (long)n * size)
            throw new OnnxFormatException($"{context}: raw_data has {raw.Length} bytes but the dims need {n} elements x {size} bytes = {(long)n * size}");
    }

    private static void CheckTyped(int present, int n, string field, string context)
    {
        if (present != n) throw new OnnxFormatException($"{context}: {field} has {present} elements but the dims need {n}");
    }
}
