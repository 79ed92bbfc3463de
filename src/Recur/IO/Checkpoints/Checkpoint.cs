using Recur.IO.Safetensors;
using Recur.Layers;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.IO.Checkpoints;

/// <summary>
/// Everything needed to rebuild a model and resume its training without code: the model's kind and architecture
/// config, its weights, the optimizer's and schedules' state, epoch and step, the training history, the data-side
/// objects (vocabulary, tokenizer, scaler) as JSON strings, and the states of the random generators (each dropout
/// module's and recurrent layer's mask generator, plus any the caller adds). Saved as one safetensors file, atomically.
/// <para>A checkpoint is a snapshot: <see cref="Capture"/> copies the tensors, so training may go on while it is saved.
/// Resuming: <see cref="Load"/>, build the model from <see cref="Config"/> and an optimizer and schedules as before,
/// <see cref="Restore"/> into them, then <c>Trainer.Fit</c> with <c>InitialEpoch = checkpoint.Epoch</c> and
/// <c>resume: checkpoint.History</c>; the continued run's losses are bit-identical to an uninterrupted run's.</para>
/// </summary>
/// <example><code>
/// var ckpt = Checkpoint.Capture("charlm", model.Config.ToJson(), model, adam, schedule);
/// ckpt.Epoch = 2;
/// ckpt.Data["vocabulary"] = vocabulary.ToJson();
/// ckpt.Save("last.safetensors");
///
/// var loaded = Checkpoint.Load("last.safetensors", expectedKind: "charlm");
/// var again = new CharLanguageModel(CharLanguageModelConfig.FromJson(loaded.Config), new Rng(0));
/// loaded.Restore(again, adam2, schedule2);
/// </code></example>
public sealed class Checkpoint
{
    /// <summary>The key prefix of the module generators in <see cref="Rngs"/>: <c>model</c> for the root module,
    /// <c>model.&lt;module path&gt;</c> for the others (e.g. <c>model.rnn</c>, <c>model.dropout</c>).</summary>
    public const string ModelRngPrefix = "model";

    /// <summary>Creates an empty checkpoint of a model of <paramref name="kind"/> described by <paramref name="config"/>.</summary>
    /// <param name="kind">What the model is (e.g. <c>charlm</c>); loading can require it.</param>
    /// <param name="config">The architecture, usually JSON, enough to build the model again.</param>
    public Checkpoint(string kind, string config)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(config);
        Kind = kind;
        Config = config;
    }

    /// <summary>What the model is, e.g. <c>charlm</c>.</summary>
    public string Kind { get; }

    /// <summary>The model's architecture (JSON supplied by the model).</summary>
    public string Config { get; }

    /// <summary>The model's parameters by dotted PyTorch name (stored as <c>model.&lt;name&gt;</c>).</summary>
    public Dictionary<string, Tensor> Weights { get; } = new(StringComparer.Ordinal);

    /// <summary>The optimizer's state tensors by <c>state.&lt;i&gt;.&lt;slot&gt;</c> (stored as <c>optimizer.&lt;name&gt;</c>).</summary>
    public Dictionary<string, Tensor> OptimizerTensors { get; } = new(StringComparer.Ordinal);

    /// <summary>The optimizer's scalar state (step counts, rates, hyper-parameters); null when no optimizer was captured.</summary>
    public OptimizerState? Optimizer { get; set; }

    /// <summary>The learning-rate schedule's state; null when none.</summary>
    public ScheduleState? Schedule { get; set; }

    /// <summary>The reduce-on-plateau schedule's state; null when none.</summary>
    public ScheduleState? Plateau { get; set; }

    /// <summary>Epochs completed (what <c>TrainerOptions.InitialEpoch</c> resumes from).</summary>
    public int Epoch { get; set; }

    /// <summary>Optimizer steps taken (batches trained).</summary>
    public long GlobalStep { get; set; }

    /// <summary>The history of the epochs so far (metric values to full precision, best epoch); null when none.</summary>
    public TrainingHistory? History { get; set; }

    /// <summary>Data-side objects as strings, by name: e.g. <c>vocabulary</c>, <c>tokenizer</c>, <c>scaler</c> (their JSON).</summary>
    public Dictionary<string, string> Data { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Random generator states by name: the modules' (keys under <see cref="ModelRngPrefix"/>, filled by
    /// <see cref="Capture"/>) and any the caller adds (e.g. <c>sampler</c>), restored by the caller with
    /// <see cref="Rng.SetState"/>.
    /// </summary>
    public Dictionary<string, RngState> Rngs { get; } = new(StringComparer.Ordinal);

    /// <summary>Free-form strings (e.g. <c>val_bpc</c>, the command line).</summary>
    public Dictionary<string, string> Info { get; } = new(StringComparer.Ordinal);

    /// <summary>The Recur version that wrote the checkpoint (this library's for a new one).</summary>
    public string RecurVersion { get; internal set; } = CurrentRecurVersion;

    /// <summary>When the checkpoint was saved (UTC), or when it was made if it has not been saved.</summary>
    public DateTime SavedUtc { get; internal set; } = DateTime.UtcNow;

    /// <summary>The file it was loaded from, or <c>&lt;memory&gt;</c>; used in messages.</summary>
    public string Source { get; internal set; } = "<memory>";

    internal static string CurrentRecurVersion => typeof(Checkpoint).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>
    /// Takes a snapshot: copies of the weights and of the optimizer's state tensors, the optimizer's, schedule's and
    /// plateau schedule's scalar state, the module generators' states, and <see cref="GlobalStep"/> from the optimizer.
    /// Set <see cref="Epoch"/>, <see cref="History"/>, <see cref="Data"/> as needed before saving.
    /// </summary>
    public static Checkpoint Capture(string kind, string config, Module model, Optimizer? optimizer = null,
        LearningRateSchedule? schedule = null, ReduceOnPlateau? plateau = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var checkpoint = new Checkpoint(kind, config);
        foreach (var (name, p) in model.NamedParameters()) checkpoint.Weights.Add(name, p.Value.Clone()); // a tied weight once
        foreach (var (key, rng) in ModuleRngs(model)) checkpoint.Rngs.Add(key, rng.GetState());
        if (optimizer is not null)
        {
            foreach (var (name, t) in optimizer.StateDict()) checkpoint.OptimizerTensors.Add(name, t.Clone());
            checkpoint.Optimizer = optimizer.ExportState();
            checkpoint.GlobalStep = optimizer.StepCount;
        }
        checkpoint.Schedule = schedule?.ExportState();
        checkpoint.Plateau = plateau?.ExportState();
        return checkpoint;
    }

    /// <summary>
    /// Puts the snapshot back into objects of the same architecture: the weights (every parameter, no extra names,
    /// same shapes), the module generators, and the optimizer's and schedules' state when they are given. All or
    /// nothing: when any part does not fit, the model, optimizer, schedules and generators are left exactly as they
    /// were.
    /// </summary>
    /// <exception cref="InvalidDataException">A name, shape or state does not match; the message names
    /// <see cref="Source"/>, the tensor or state, and what was expected and found.</exception>
    public void Restore(Module model, Optimizer? optimizer = null, LearningRateSchedule? schedule = null, ReduceOnPlateau? plateau = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckpointRestore.Restore(this, model, optimizer, schedule, plateau);
    }

    /// <summary>Writes the checkpoint to <paramref name="path"/>, atomically replacing any previous file (temporary
    /// file, flush, rename: a crash during the save leaves the previous checkpoint intact).</summary>
    public void Save(string path)
    {
        SavedUtc = DateTime.UtcNow;
        CheckpointFile.Writer(this).Save(path);
    }

    /// <summary>Writes the checkpoint's bytes to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        SavedUtc = DateTime.UtcNow;
        CheckpointFile.Writer(this).WriteTo(stream);
    }

    /// <summary>Reads a checkpoint file (format 2, or the weights-only format 1 of earlier versions).</summary>
    /// <param name="path">The file.</param>
    /// <param name="expectedKind">When given, the file's kind must be this.</param>
    /// <exception cref="InvalidDataException">Not a Recur checkpoint, another kind, a newer format, or malformed
    /// content; the message names the file and the tensor or metadata key.</exception>
    /// <exception cref="SafetensorsFormatException">Not a valid safetensors file (e.g. truncated).</exception>
    public static Checkpoint Load(string path, string? expectedKind = null)
    {
        using var file = SafetensorsFile.Open(path);
        return CheckpointFile.Read(file, expectedKind);
    }

    /// <summary>Reads a checkpoint from its bytes (see <see cref="Load"/>).</summary>
    public static Checkpoint FromBytes(byte[] bytes, string? expectedKind = null, string source = "<memory>")
    {
        using var file = SafetensorsFile.FromBytes(bytes, source);
        return CheckpointFile.Read(file, expectedKind);
    }

    /// <summary>The random generators the modules of <paramref name="model"/> own, keyed as in <see cref="Rngs"/>:
    /// dropout modules' masks and recurrent layers' between-layer dropout masks.</summary>
    internal static IEnumerable<(string Key, Rng Rng)> ModuleRngs(Module model)
    {
        foreach (var (path, module) in model.NamedModules())
        {
            string key = path.Length == 0 ? ModelRngPrefix : ModelRngPrefix + "." + path;
            if (module is Dropout dropout) yield return (key, dropout.Rng);
            else if (module is RecurrentLayer recurrent) yield return (key, recurrent.DropoutRng);
        }
    }
}
