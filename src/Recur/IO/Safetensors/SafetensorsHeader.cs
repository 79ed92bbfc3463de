using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace Recur.IO.Safetensors;

/// <summary>
/// Parses and validates a safetensors header: <c>u64 little-endian N</c>, then N bytes of UTF-8 JSON
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {string: string}}</c>,
/// then the data section, whose bytes the tensors' [begin, end) ranges (relative to its start) must tile exactly.
/// Every size is checked against the file length before anything is allocated from it.
/// </summary>
internal static class SafetensorsHeader
{
    /// <summary>Largest accepted header: real headers are kilobytes; this bounds the allocation a lying length can cause.</summary>
    public const long MaxHeaderBytes = 100L << 20;

    public const string MetadataKey = "__metadata__";

    public sealed record Parsed(long DataStart, IReadOnlyList<SafetensorsTensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata);

    public static Parsed Parse(ByteSource bytes, string source)
    {
        if (bytes.Length < 8)
            throw Fail(source, null, $"the file is {bytes.Length} bytes, too short for the 8-byte header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Span(0, 8));
        if (n > MaxHeaderBytes)
            throw Fail(source, null, $"the header length {n} exceeds the limit of {MaxHeaderBytes} bytes");
        if ((long)n > bytes.Length - 8)
            throw Fail(source, null, $"the header length {n} runs past the end of the file ({bytes.Length} bytes, so at most {bytes.Length - 8})");
        long dataStart = 8 + (long)n;
        long dataLength = bytes.Length - dataStart;

        // Copy the header out so that JsonDocument never holds a pointer into a mapping that may be unmapped.
        byte[] json = bytes.Span(8, (int)n).ToArray();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Fail(source, null, $"the header is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            try
            {
                return ParseRoot(doc.RootElement, source, dataStart, dataLength);
            }
            catch (InvalidOperationException e)
            {
                // Raised by System.Text.Json for strings it cannot decode (e.g. an escaped unpaired surrogate).
                throw Fail(source, null, $"the header holds a string that cannot be decoded: {e.Message}", e);
            }
        }
    }

    private static Parsed ParseRoot(JsonElement root, string source, long dataStart, long dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Fail(source, null, $"the header must be a JSON object, got {Describe(root.ValueKind)}");

        var tensors = new List<SafetensorsTensorInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string>? metadata = null;
        foreach (var property in root.EnumerateObject())
        {
            string name = property.Name;
            if (!seen.Add(name))
                throw Fail(source, name == MetadataKey ? null : name, $"the header names '{name}' more than once");
            if (name == MetadataKey)
                metadata = ParseMetadata(property.Value, source);
            else
                tensors.Add(ParseTensor(name, property.Value, source, dataLength));
        }

        CheckTiling(tensors, source, dataLength);
        tensors.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new Parsed(dataStart, tensors, metadata ?? new Dictionary<string, string>());
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(source, null, $"{MetadataKey} must be an object of strings, got {Describe(value.ValueKind)}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw Fail(source, null, $"{MetadataKey} entry '{entry.Name}' must be a string, got {Describe(entry.Value.ValueKind)}");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw Fail(source, null, $"{MetadataKey} names '{entry.Name}' more than once");
        }
        return metadata;
    }

    private static SafetensorsTensorInfo ParseTensor(string name, JsonElement value, string source, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(source, name, $"the entry must be an object with dtype, shape and data_offsets, got {Describe(value.ValueKind)}");
        JsonElement? dtypeEl = null, shapeEl = null, offsetsEl = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeEl;
            switch (field.Name)
            {
                case "dtype": break;
                case "shape": slot = ref shapeEl; break;
                case "data_offsets": slot = ref offsetsEl; break;
                default: continue; // unknown fields are ignored, as other readers do
            }
            if (slot is not null) throw Fail(source, name, $"the entry has '{field.Name}' more than once");
            slot = field.Value;
        }
        if (dtypeEl is null || shapeEl is null || offsetsEl is null)
            throw Fail(source, name, $"the entry lacks '{(dtypeEl is null ? "dtype" : shapeEl is null ? "shape" : "data_offsets")}'");

        if (dtypeEl.Value.ValueKind != JsonValueKind.String)
            throw Fail(source, name, $"dtype must be a string, got {Describe(dtypeEl.Value.ValueKind)}");
        string dtypeText = dtypeEl.Value.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeText, out var dtype))
            throw Fail(source, name, $"unsupported dtype '{dtypeText}' (supported: F32, F16, BF16, F64, I64, I32)");

        if (shapeEl.Value.ValueKind != JsonValueKind.Array)
            throw Fail(source, name, $"shape must be an array of integers, got {Describe(shapeEl.Value.ValueKind)}");
        int rank = shapeEl.Value.GetArrayLength();
        if (rank > 64) throw Fail(source, name, $"shape has {rank} dimensions (at most 64 are accepted)");
        var shape = new int[rank];
        bool empty = false;
        long count = 1; // product of the non-zero dimensions, saturated just above the largest value it may reach
        long limit = Math.Max(dataLength, Array.MaxLength);
        for (int i = 0; i < rank; i++)
        {
            var d = shapeEl.Value[i];
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw Fail(source, name, $"shape dimension {i} must be a non-negative integer, got {Truncate(d.GetRawText())}");
            if (dim > int.MaxValue)
                throw Fail(source, name, $"shape dimension {i} is {dim}, larger than {int.MaxValue}");
            shape[i] = (int)dim;
            if (dim == 0) empty = true;
            else if (count <= limit) count = count > limit / dim ? limit + 1 : count * dim; // no overflow
        }
        if (empty)
        {
            // Zero elements, but a Tensor of this shape must still be creatable.
            if (count > Array.MaxLength)
                throw Fail(source, name, $"shape {Tensors.Shape.Format(shape)} is empty but its other dimensions multiply to more than {Array.MaxLength}");
            count = 0;
        }

        if (offsetsEl.Value.ValueKind != JsonValueKind.Array || offsetsEl.Value.GetArrayLength() != 2)
            throw Fail(source, name, $"data_offsets must be an array [begin, end], got {Truncate(offsetsEl.Value.GetRawText())}");
        long begin = ReadOffset(offsetsEl.Value[0], "begin", source, name);
        long end = ReadOffset(offsetsEl.Value[1], "end", source, name);
        if (begin > end)
            throw Fail(source, name, $"data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw Fail(source, name, $"data_offsets [{begin}, {end}] run past the end of the data section ({dataLength} bytes; is the file truncated?)");

        long span = end - begin;
        int size = dtype.ElementSize();
        if (count > dataLength || count * size != span)
        {
            string needs = count > dataLength ? $"more than the {dataLength}-byte data section holds" : $"{count * size} bytes";
            throw Fail(source, name, $"data_offsets [{begin}, {end}] span {span} bytes but {dtypeText} shape {Tensors.Shape.Format(shape)} needs {needs}");
        }
        return new SafetensorsTensorInfo(name, dtype, shape, count, begin, end);
    }

    private static long ReadOffset(JsonElement e, string which, string source, string name)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0)
            throw Fail(source, name, $"data_offsets {which} must be a non-negative integer, got {Truncate(e.GetRawText())}");
        return v;
    }

    /// <summary>The [begin, end) ranges must cover the data section exactly: no overlap, no gap, no trailing bytes.</summary>
    private static void CheckTiling(List<SafetensorsTensorInfo> tensors, string source, long dataLength)
    {
        var byOffset = tensors.ToArray();
        Array.Sort(byOffset, (a, b) => a.DataBegin != b.DataBegin ? a.DataBegin.CompareTo(b.DataBegin) : a.DataEnd.CompareTo(b.DataEnd));
        long covered = 0;
        SafetensorsTensorInfo? previous = null;
        foreach (var t in byOffset)
        {
            if (t.DataBegin < covered)
                throw Fail(source, t.Name, $"data_offsets [{t.DataBegin}, {t.DataEnd}] overlap tensor '{previous!.Name}' [{previous.DataBegin}, {previous.DataEnd}]");
            if (t.DataBegin > covered)
                throw Fail(source, t.Name, $"data_offsets [{t.DataBegin}, {t.DataEnd}] leave a gap: bytes [{covered}, {t.DataBegin}) belong to no tensor");
            covered = t.DataEnd;
            previous = t;
        }
        if (covered != dataLength)
            throw Fail(source, null, $"the data section is {dataLength} bytes but the tensors cover only {covered}: {dataLength - covered} trailing bytes belong to no tensor");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private static SafetensorsFormatException Fail(string source, string? tensor, string problem, Exception? inner = null) =>
        new(source, tensor, problem, inner);
}
