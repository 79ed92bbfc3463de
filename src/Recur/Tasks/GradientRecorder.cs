using Recur.Layers;
using Recur.Training;

namespace Recur.Tasks;

/// <summary>
/// Records a <see cref="GradientLog"/> during <see cref="Trainer.Fit{TBatch}"/> and rewrites it after every epoch:
/// the per-epoch statistics of the global gradient norm and clipping, and the gradient norm reaching each time step of
/// every recurrent layer at the longest batch (the most time steps; the first of equals) of epochs 1, 2, 4, 8, ... and
/// of the last epoch: with batches of varying length, the longest ones show farthest how the gradient fades, and
/// they are the same kind of batch every epoch. Reading the norms costs next to nothing: they are what the layer's
/// backward pass computed for that batch.
/// </summary>
public sealed class GradientRecorder : ITrainerCallback
{
    private readonly string _path;
    private readonly GradientLog? _resumed;
    private GradientLog _log = new();
    private (string Name, RecurrentLayer Layer)[] _layers = [];
    private double _clip;
    private int _batches, _clipped;
    private double _sum, _max;
    private TimeStepGradients? _latest;   // this epoch's longest batch so far, kept for the last epoch
    private int _latestSteps;
    private int _lastKeptEpoch;

    /// <summary>Records into <paramref name="path"/>; when resuming, <paramref name="resumed"/> (the log so far) is continued.</summary>
    public GradientRecorder(string path, GradientLog? resumed = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        _resumed = resumed;
    }

    /// <summary>Whether the per-time-step norms of <paramref name="epoch"/> are kept: 1, 2, 4, 8, ...</summary>
    public static bool KeepsTimeSteps(int epoch) => epoch > 0 && (epoch & (epoch - 1)) == 0;

    /// <inheritdoc />
    public void OnTrainBegin(Trainer trainer)
    {
        _clip = trainer.Options.ClipNorm ?? 0;
        _layers = [.. trainer.Model.NamedModules().Where(m => m.Module is RecurrentLayer).Select(m => (m.Name, (RecurrentLayer)m.Module))];
        int from = trainer.Options.InitialEpoch;
        // A resumed run keeps what the epochs before it recorded (a rolled-back epoch never reached the log).
        _log = new GradientLog
        {
            Clip = _clip,
            Epochs = [.. _resumed?.Epochs.Where(e => e.Epoch <= from) ?? []],
            TimeSteps = [.. _resumed?.TimeSteps.Where(e => e.Epoch <= from) ?? []],
        };
        _lastKeptEpoch = _log.TimeSteps.Count > 0 ? _log.TimeSteps[^1].Epoch : 0;
    }

    /// <inheritdoc />
    public void OnEpochBegin(int epoch)
    {
        (_batches, _clipped, _sum, _max) = (0, 0, 0, 0);
        _latest = null;
        _latestSteps = 0;
    }

    /// <inheritdoc />
    public void OnBatchEnd(in BatchProgress progress)
    {
        double norm = progress.GradientNorm;
        _batches++;
        _sum += norm;
        _max = Math.Max(_max, norm);
        if (_clip > 0 && norm > _clip) _clipped++;
        if (_layers.Length > 0)
        {
            var captured = Capture(progress.Epoch, progress.Batch);
            int steps = captured.Layers.Sum(l => l.Norms.Count == 0 ? 0 : l.Norms[0].Length);
            if (steps > _latestSteps) (_latest, _latestSteps) = (captured, steps);
        }
    }

    /// <inheritdoc />
    public void OnEpochEnd(EpochRecord record, bool isBest)
    {
        _log.Epochs.Add(new EpochGradients(record.Epoch, _batches, _clipped, _batches == 0 ? double.NaN : _sum / _batches, _max));
        if (_latest is not null && KeepsTimeSteps(record.Epoch)) Keep(_latest);
        _log.Save(_path);
    }

    /// <inheritdoc />
    public void OnTrainEnd(TrainingHistory history)
    {
        // The last completed epoch closes the picture even when it is not a power of two.
        if (_latest is not null && history.Epochs.Count > 0 && _latest.Epoch == history.Epochs[^1].Epoch && _lastKeptEpoch != _latest.Epoch)
        {
            Keep(_latest);
            _log.Save(_path);
        }
    }

    private void Keep(TimeStepGradients g)
    {
        _log.TimeSteps.Add(g);
        _lastKeptEpoch = g.Epoch;
    }

    private TimeStepGradients Capture(int epoch, int batch)
    {
        var layers = new List<LayerTimeSteps>(_layers.Length);
        foreach (var (name, layer) in _layers)
        {
            var norms = layer.GradientNormsOverTime();
            int rows = norms.Dim(0), steps = norms.Dim(1);
            if (steps == 0) continue; // the layer took no part in this batch's backward
            var names = new List<string>(rows);
            var values = new List<float[]>(rows);
            for (int r = 0; r < rows; r++)
            {
                names.Add($"layer {r / layer.Directions + 1}" + (r % layer.Directions == 1 ? " reverse" : ""));
                values.Add(norms.Span.Slice(r * steps, steps).ToArray());
            }
            layers.Add(new LayerTimeSteps(name.Length == 0 ? "model" : name, names, values));
        }
        return new TimeStepGradients(epoch, batch, layers);
    }
}
