using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Recur.IO.Safetensors;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.IO.Checkpoints;

/// <summary>
/// The layout of a <see cref="Checkpoint"/> in a safetensors file (format <c>recur-checkpoint/2</c>):
/// <code>
///   tensors   model.&lt;dotted name&gt;        F32   the weights, PyTorch names
///             optimizer.state.&lt;i&gt;.&lt;slot&gt;  F32   the optimizer's state tensors
///             rng.&lt;key&gt;                  I64 [4]  xoshiro256** states s0..s3 (bits reinterpreted)
///   metadata  format = recur-checkpoint/2, recur.kind, recur.config, recur.version, recur.saved_utc,
///             recur.epoch, recur.global_step, recur.optimizer / recur.schedule / recur.plateau (state JSON),
///             recur.history (JSON), recur.data.&lt;name&gt;, recur.info.&lt;name&gt;
/// </code>
/// Format 1 (earlier versions) held only the weights under their bare names, <c>recur.vocabulary</c> and
/// <c>recur.info.*</c>; it is still read.
/// </summary>
internal static class CheckpointFile
{
    public const string FormatPrefix = "recur-checkpoint/";
    public const int FormatVersion = 2;

    private const string ModelPrefix = "model.", OptimizerPrefix = "optimizer.", RngPrefix = "rng.";
    private const string DataPrefix = "recur.data.", InfoPrefix = "recur.info.";

    // Full double precision, and NaN / infinity (a gradient norm of an epoch without batches) as JSON strings.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static SafetensorsWriter Writer(Checkpoint c)
    {
        var w = new SafetensorsWriter()
            .AddMetadata("format", FormatPrefix + FormatVersion.ToString(CultureInfo.InvariantCulture))
            .AddMetadata("recur.kind", c.Kind)
            .AddMetadata("recur.config", c.Config)
            .AddMetadata("recur.version", c.RecurVersion)
            .AddMetadata("recur.saved_utc", c.SavedUtc.ToString("O", CultureInfo.InvariantCulture))
            .AddMetadata("recur.epoch", c.Epoch.ToString(CultureInfo.InvariantCulture))
            .AddMetadata("recur.global_step", c.GlobalStep.ToString(CultureInfo.InvariantCulture));
        if (c.Optimizer is not null) w.AddMetadata("recur.optimizer", JsonSerializer.Serialize(c.Optimizer, Json));
        if (c.Schedule is not null) w.AddMetadata("recur.schedule", JsonSerializer.Serialize(c.Schedule, Json));
        if (c.Plateau is not null) w.AddMetadata("recur.plateau", JsonSerializer.Serialize(c.Plateau, Json));
        if (c.History is not null) w.AddMetadata("recur.history", JsonSerializer.Serialize(HistoryDocument.From(c.History), Json));
        foreach (var (name, value) in c.Data) w.AddMetadata(DataPrefix + name, value);
        foreach (var (name, value) in c.Info) w.AddMetadata(InfoPrefix + name, value);
        foreach (var (name, t) in c.Weights) w.Add(ModelPrefix + name, t);
        foreach (var (name, t) in c.OptimizerTensors) w.Add(OptimizerPrefix + name, t);
        foreach (var (key, s) in c.Rngs)
            w.AddInt64(RngPrefix + key, [unchecked((long)s.S0), unchecked((long)s.S1), unchecked((long)s.S2), unchecked((long)s.S3)], 4);
        return w;
    }

    public static Checkpoint Read(SafetensorsFile file, string? expectedKind)
    {
        string source = file.Source;
        var meta = file.Metadata;
        string format = meta.GetValueOrDefault("format") ?? "";
        if (!format.StartsWith(FormatPrefix, StringComparison.Ordinal)
            || !int.TryParse(format.AsSpan(FormatPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int version))
            throw new InvalidDataException($"{source}: not a Recur checkpoint (metadata 'format' is '{format}', expected '{FormatPrefix}{FormatVersion}')");
        if (version is < 1 or > FormatVersion)
            throw new InvalidDataException($"{source}: checkpoint format {version} is not supported (this Recur reads formats 1 to {FormatVersion}; it may be from a newer Recur)");

        string Required(string key) => meta.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{source}: metadata '{key}' is missing");
        string kind = Required("recur.kind");
        if (kind.Length == 0) throw new InvalidDataException($"{source}: metadata 'recur.kind' is empty");
        if (expectedKind is not null && kind != expectedKind)
            throw new InvalidDataException($"{source}: the checkpoint holds a '{kind}' model, expected '{expectedKind}'");
        var c = new Checkpoint(kind, Required("recur.config"))
        {
            Source = source,
            RecurVersion = meta.GetValueOrDefault("recur.version") ?? "unknown",
        };
        if (meta.TryGetValue("recur.saved_utc", out var saved)
            && DateTime.TryParse(saved, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var savedUtc))
            c.SavedUtc = savedUtc;
        foreach (var (key, value) in meta)
        {
            if (key.StartsWith(DataPrefix, StringComparison.Ordinal)) c.Data[key[DataPrefix.Length..]] = value;
            else if (key.StartsWith(InfoPrefix, StringComparison.Ordinal)) c.Info[key[InfoPrefix.Length..]] = value;
        }

        if (version == 1)
        {
            if (meta.TryGetValue("recur.vocabulary", out var vocabulary)) c.Data["vocabulary"] = vocabulary;
            foreach (var info in file.Tensors) c.Weights.Add(info.Name, ReadFloat(file, info));
            return c;
        }

        c.Epoch = (int)ParseCount(source, "recur.epoch", Required("recur.epoch"), int.MaxValue);
        c.GlobalStep = ParseCount(source, "recur.global_step", Required("recur.global_step"), long.MaxValue);
        c.Optimizer = Deserialize<OptimizerState>(source, meta, "recur.optimizer");
        c.Schedule = Deserialize<ScheduleState>(source, meta, "recur.schedule");
        c.Plateau = Deserialize<ScheduleState>(source, meta, "recur.plateau");
        c.History = Deserialize<HistoryDocument>(source, meta, "recur.history")?.ToHistory(source);
        foreach (var info in file.Tensors)
        {
            if (info.Name.StartsWith(ModelPrefix, StringComparison.Ordinal)) c.Weights.Add(info.Name[ModelPrefix.Length..], ReadFloat(file, info));
            else if (info.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) c.OptimizerTensors.Add(info.Name[OptimizerPrefix.Length..], ReadFloat(file, info));
            else if (info.Name.StartsWith(RngPrefix, StringComparison.Ordinal)) c.Rngs.Add(info.Name[RngPrefix.Length..], ReadRng(file, info));
            else throw new InvalidDataException($"{source}: unexpected tensor '{info.Name}' (a checkpoint holds model.*, optimizer.* and rng.* tensors)");
        }
        if (c.OptimizerTensors.Count > 0 && c.Optimizer is null)
            throw new InvalidDataException($"{source}: optimizer tensors without the optimizer state 'recur.optimizer'");
        return c;
    }

    private static Tensor ReadFloat(SafetensorsFile file, SafetensorsTensorInfo info)
    {
        if (!info.DType.IsFloat())
            throw new InvalidDataException($"{file.Source}: tensor '{info.Name}' is {info.DType}, expected a float tensor");
        return file.ReadTensor(info.Name);
    }

    private static RngState ReadRng(SafetensorsFile file, SafetensorsTensorInfo info)
    {
        if (info.DType != SafetensorsDType.I64 || !Shape.Equal(info.Shape, [4]))
            throw new InvalidDataException($"{file.Source}: tensor '{info.Name}' is {info.DType} {Shape.Format(info.Shape)}, expected a generator state I64 [4]");
        long[] s = file.ReadInt64(info.Name);
        var state = new RngState(unchecked((ulong)s[0]), unchecked((ulong)s[1]), unchecked((ulong)s[2]), unchecked((ulong)s[3]));
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0)
            throw new InvalidDataException($"{file.Source}: tensor '{info.Name}' is an all-zero generator state, which is invalid");
        return state;
    }

    private static long ParseCount(string source, string key, string text, long max) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value <= max ? value
            : throw new InvalidDataException($"{source}: metadata '{key}' is '{text}', expected an integer in [0, {max}]");

    private static T? Deserialize<T>(string source, IReadOnlyDictionary<string, string> meta, string key) where T : class
    {
        if (!meta.TryGetValue(key, out var json)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: metadata '{key}' is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>A <see cref="TrainingHistory"/> as plain data for JSON.</summary>
    private sealed record HistoryDocument(int BestEpoch, string StopReason, EpochDocument[] Epochs)
    {
        public static HistoryDocument From(TrainingHistory h) =>
            new(h.BestEpoch, h.StopReason, h.Epochs.Select(e => new EpochDocument(e.Epoch, e.Seconds, new Dictionary<string, double>(e.Values))).ToArray());

        public TrainingHistory ToHistory(string source)
        {
            var history = new TrainingHistory { BestEpoch = BestEpoch, StopReason = StopReason ?? "" };
            foreach (var e in Epochs ?? throw new InvalidDataException($"{source}: metadata 'recur.history' has no epochs"))
                history.Add(new EpochRecord(e.Epoch, e.Seconds, e.Values ?? []));
            return history;
        }
    }

    private sealed record EpochDocument(int Epoch, double Seconds, Dictionary<string, double> Values);
}
