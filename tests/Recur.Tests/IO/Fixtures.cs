using Recur.IO.Safetensors;
using Recur.Tensors;

namespace Recur.Tests.IO;

/// <summary>Paths of the committed reference files (copied to the test output's fixtures/ folder) and small helpers.</summary>
internal static class Fixtures
{
    public static string Dir(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    public static string[] RnnConformanceFiles() =>
        Directory.GetFiles(Dir("rnn-conformance"), "*.safetensors").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Copies every tensor (keeping float / I64 / I32 types as F32 / I64 / I32) and the metadata into a writer.</summary>
    public static SafetensorsWriter Rewrite(SafetensorsFile file, Func<string, bool>? keep = null)
    {
        var writer = new SafetensorsWriter();
        foreach (var (key, value) in file.Metadata) writer.AddMetadata(key, value);
        foreach (var info in file.Tensors)
        {
            if (keep is not null && !keep(info.Name)) continue;
            int[] shape = info.Shape.ToArray();
            switch (info.DType)
            {
                case SafetensorsDType.I64: writer.AddInt64(info.Name, file.ReadInt64(info.Name), shape); break;
                case SafetensorsDType.I32: writer.AddInt32(info.Name, file.ReadInt32(info.Name), shape); break;
                default: writer.Add(info.Name, file.ReadTensor(info.Name), info.DType); break;
            }
        }
        return writer;
    }

    public static byte[] ToBytes(this SafetensorsWriter writer)
    {
        var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>A tensor of <paramref name="shape"/> holding 0.5, 1.5, 2.5, ... negated on odd indices.</summary>
    public static Tensor Ramp(params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (i + 0.5f) * (i % 2 == 0 ? 1 : -1);
        return t;
    }
}
