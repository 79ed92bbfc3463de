using Recur.Tensors;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Training;

/// <summary>
/// The optimizer's state, and a per-batch schedule's, at the start of an epoch, for the trainer's non-finite guard to
/// roll back to; the copies are reused epoch to epoch.
/// </summary>
internal sealed class OptimizerSnapshot
{
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private OptimizerState? _state;
    private ScheduleState? _schedule;

    public void Capture(Optimizer optimizer, LearningRateSchedule? schedule)
    {
        var live = optimizer.StateDict();
        foreach (var (name, t) in live)
            if (_tensors.TryGetValue(name, out var copy)) t.Span.CopyTo(copy.Span);
            else _tensors.Add(name, t.Clone());
        if (_tensors.Count != live.Count) // a slot was dropped since the last capture (state loaded in between)
            foreach (string name in _tensors.Keys.Where(k => !live.ContainsKey(k)).ToList()) _tensors.Remove(name);
        _state = optimizer.ExportState();
        _schedule = schedule?.ExportState();
    }

    // Slots created after the capture are cleared by LoadStateDict, as they did not exist then.
    public void Restore(Optimizer optimizer, LearningRateSchedule? schedule)
    {
        optimizer.LoadStateDict(_tensors, _state!);
        if (_schedule is not null) schedule!.LoadState(_schedule);
    }
}
