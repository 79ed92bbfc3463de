using System.Text;
using System.Text.Json;
using Recur.IO.Safetensors;
using Recur.Models;

namespace Recur.Tasks;

/// <summary>
/// How the gradients behaved during a run, kept in the model folder as <c>gradients.json</c> (written by
/// <see cref="GradientRecorder"/>): per epoch, the global gradient norm over its batches and how many batches were
/// clipped; at a few points of training, the gradient norm reaching each time step of every recurrent layer — the
/// picture of vanishing or exploding gradients.
/// </summary>
public sealed record GradientLog
{
    /// <summary>The file name inside a model folder.</summary>
    public const string FileName = "gradients.json";

    /// <summary>The clipping threshold of the global gradient norm (0 when the run did not clip).</summary>
    public double Clip { get; init; }

    /// <summary>One entry per completed epoch, in order.</summary>
    public List<EpochGradients> Epochs { get; init; } = [];

    /// <summary>Per-time-step gradient norms, at the longest batch of a few epochs (1, 2, 4, 8, ... and the last).</summary>
    public List<TimeStepGradients> TimeSteps { get; init; } = [];

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a gradient log; the message names it.</exception>
    public static GradientLog Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<GradientLog>(File.ReadAllText(path), ConfigJson.Options)
                ?? throw new InvalidDataException($"{path}: empty gradient log");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a gradient log ({e.Message})", e);
        }
    }

    /// <summary>Writes the log to <paramref name="path"/>, replacing it atomically.</summary>
    public void Save(string path)
    {
        string json = JsonSerializer.Serialize(this, ConfigJson.Options);
        AtomicFile.Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(json)));
    }
}

/// <summary>The global gradient norm (before clipping) over one epoch's training batches.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batches">Training batches.</param>
/// <param name="Clipped">Batches whose norm was above the clipping threshold (0 without clipping).</param>
/// <param name="Mean">Mean norm over the batches.</param>
/// <param name="Max">Largest norm.</param>
public sealed record EpochGradients(int Epoch, int Batches, int Clipped, double Mean, double Max);

/// <summary>The gradient norm reaching each time step, for every recurrent layer of the model, after one training batch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="Layers">One entry per recurrent layer.</param>
public sealed record TimeStepGradients(int Epoch, int Batch, List<LayerTimeSteps> Layers);

/// <summary>‖∂L/∂h_t‖₂ of one recurrent layer (see <c>RecurrentLayer.GradientNormsOverTime</c>).</summary>
/// <param name="Name">The layer's module path in the model (e.g. <c>rnn</c>).</param>
/// <param name="Rows">One name per stacked layer and direction (e.g. <c>layer 1</c>, <c>layer 1 reverse</c>).</param>
/// <param name="Norms">Norms per row, one per time step.</param>
public sealed record LayerTimeSteps(string Name, List<string> Rows, List<float[]> Norms);
