using Recur.IO.Safetensors;
using Recur.Layers;

namespace Recur.IO.Checkpoints;

/// <summary>
/// A module's weights as a plain safetensors state_dict: tensors under the dotted PyTorch names, no prefix, F32.
/// PyTorch loads such a file into the equivalent model with <c>model.load_state_dict(tensors, strict=True)</c>, and
/// a state_dict PyTorch saved this way loads here (F16 / BF16 / F64 tensors are converted to float32).
/// </summary>
/// <example><code>
/// model.SaveSafetensors("charlm.safetensors");
/// // Python: model.load_state_dict(safetensors.torch.load_file("charlm.safetensors"), strict=True)
/// model.LoadSafetensors("from_torch.safetensors");    // names and shapes must match
/// </code></example>
public static class ModuleSafetensors
{
    /// <summary>Writes the weights of <paramref name="model"/> to <paramref name="path"/> (atomically; metadata
    /// <c>format = pt</c>). The bytes depend only on the weights, so the same weights give the same file.</summary>
    public static void SaveSafetensors(this Module model, string path) => StateDictWriter(model).Save(path);

    /// <summary>Writes the same bytes as <see cref="SaveSafetensors"/> to <paramref name="stream"/>.</summary>
    public static void WriteSafetensors(this Module model, Stream stream) => StateDictWriter(model).WriteTo(stream);

    /// <summary>
    /// Copies the weights of a state_dict file into <paramref name="model"/>. With <paramref name="strict"/> (PyTorch's
    /// <c>strict=True</c>) every parameter must be in the file and the file must hold nothing else; shapes must
    /// always match. Nothing is changed unless the whole file fits.
    /// </summary>
    /// <exception cref="InvalidDataException">Missing, extra or mis-shaped tensors; the message names the file and the tensors.</exception>
    public static void LoadSafetensors(this Module model, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var file = SafetensorsFile.Open(path);
        LoadSafetensors(model, file, strict);
    }

    /// <summary>Copies the weights of an open state_dict file into <paramref name="model"/> (see the path overload).</summary>
    public static void LoadSafetensors(this Module model, SafetensorsFile file, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(file);
        var integers = file.Tensors.Where(t => !t.DType.IsFloat()).Select(t => $"{t.Name} ({t.DType})").ToList();
        if (strict && integers.Count > 0)
            throw new InvalidDataException($"{file.Source}: integer tensors [{string.Join(", ", integers)}] are not parameters of the {model.GetType().Name}");
        var state = file.ReadFloatTensors();
        StateDictCheck.Require(model, state, file.Source, "", strict);
        model.LoadStateDict(state, strict);
    }

    private static SafetensorsWriter StateDictWriter(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var writer = new SafetensorsWriter().AddMetadata("format", "pt");
        // A tied weight once, under its first name, as safetensors' save_model writes it (save_file refuses shared
        // tensors, and load_model would call a second copy unexpected); loading accepts either name.
        foreach (var (name, p) in model.NamedParameters()) writer.Add(name, p.Value);
        return writer;
    }
}
