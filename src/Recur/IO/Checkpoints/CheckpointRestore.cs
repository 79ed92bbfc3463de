using Recur.Layers;
using Recur.Tensors;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.IO.Checkpoints;

/// <summary>
/// <see cref="Checkpoint.Restore"/> as one step: a checkpoint that does not fit leaves the model, optimizer, schedules
/// and generators exactly as they were. Everything that can be checked from outside is checked before anything is
/// written: the weights' names and shapes, the module generators' names and states, the plateau schedule's state,
/// and the optimizer's group rates (the one part of its state <see cref="Optimizer.LoadStateDict"/> checks only while
/// writing). Then the writes, in an order where each one either cannot fail or fails with nothing to undo but the
/// schedule:
/// <list type="number">
/// <item>the schedule (its <see cref="LearningRateSchedule.LoadState"/> checks the state's kind and sizes, and a
/// subclass may check more; on any later failure it is put back from the state it exported before);</item>
/// <item>the optimizer (<see cref="Optimizer.LoadStateDict"/> checks kind, groups, step counts, hyper-parameters and
/// every state tensor's name and shape before it writes anything);</item>
/// <item>the plateau schedule, the weights and the generators, checked completely above.</item>
/// </list>
/// </summary>
internal static class CheckpointRestore
{
    public static void Restore(Checkpoint checkpoint, Module model, Optimizer? optimizer, LearningRateSchedule? schedule, ReduceOnPlateau? plateau)
    {
        string source = checkpoint.Source;
        StateDictCheck.Require(model, checkpoint.Weights, source, "model.", strict: true);
        var generators = Generators(checkpoint, model);
        OptimizerState? optimizerState = optimizer is null ? null : CheckOptimizer(checkpoint);
        ScheduleState? scheduleState = schedule is null ? null
            : checkpoint.Schedule ?? throw new InvalidDataException($"{source}: the checkpoint holds no schedule state");
        ScheduleState? plateauState = plateau is null ? null : CheckPlateau(checkpoint, plateau);

        var scheduleBefore = schedule?.ExportState();
        try
        {
            if (schedule is not null) Fit(source, "schedule", () => schedule.LoadState(scheduleState!));
            if (optimizer is not null) Fit(source, "optimizer", () => optimizer.LoadStateDict(checkpoint.OptimizerTensors, optimizerState!));
        }
        catch
        {
            if (scheduleBefore is not null) schedule!.LoadState(scheduleBefore);
            throw;
        }
        plateau?.LoadState(plateauState!);
        model.LoadStateDict(checkpoint.Weights, strict: true);
        foreach (var (rng, state) in generators) rng.SetState(state);
    }

    // The module generators with their stored states: the same modules as the model's, no state all zeros. A
    // checkpoint without module generators (format 1) restores the weights alone.
    private static List<(Rng Rng, RngState State)> Generators(Checkpoint checkpoint, Module model)
    {
        var rngs = Checkpoint.ModuleRngs(model).ToList();
        if (!checkpoint.Rngs.Keys.Any(IsModuleRng)) return [];
        var missing = rngs.Select(r => r.Key).Where(k => !checkpoint.Rngs.ContainsKey(k)).ToList();
        var unexpected = checkpoint.Rngs.Keys.Where(IsModuleRng).Except(rngs.Select(r => r.Key)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"{checkpoint.Source}: the random generator states do not match the {model.GetType().Name}'s modules: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        var generators = new List<(Rng, RngState)>(rngs.Count);
        foreach (var (key, rng) in rngs)
        {
            var state = checkpoint.Rngs[key];
            if ((state.S0 | state.S1 | state.S2 | state.S3) == 0)
                throw new InvalidDataException($"{checkpoint.Source}: the random generator state '{key}' is all zeros, which is not a valid xoshiro256** state");
            generators.Add((rng, state));
        }
        return generators;
    }

    private static bool IsModuleRng(string key) =>
        key == Checkpoint.ModelRngPrefix || key.StartsWith(Checkpoint.ModelRngPrefix + ".", StringComparison.Ordinal);

    // The optimizer state, with every group's rates valid: the optimizer sets them through checking setters after
    // it has written its state tensors and step counts, so a bad rate would fail half-way.
    private static OptimizerState CheckOptimizer(Checkpoint checkpoint)
    {
        string source = checkpoint.Source;
        var state = checkpoint.Optimizer ?? throw new InvalidDataException($"{source}: the checkpoint holds no optimizer state");
        var groups = state.Groups ?? [];
        for (int g = 0; g < groups.Length; g++)
        {
            var group = groups[g] ?? throw new InvalidDataException($"{source}: the optimizer state of group {g} is missing");
            CheckNonNegative(source, $"group {g} learning rate", group.LearningRate);
            CheckNonNegative(source, $"group {g} initial learning rate", group.InitialLearningRate);
            CheckNonNegative(source, $"group {g} weight decay", group.WeightDecay);
        }
        return state;
    }

    private static void CheckNonNegative(string source, string what, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new InvalidDataException($"{source}: the optimizer state's {what} is {value}, expected a finite value >= 0");
    }

    // Everything ReduceOnPlateau.LoadState checks or converts, so that loading it cannot fail.
    private static ScheduleState CheckPlateau(Checkpoint checkpoint, ReduceOnPlateau plateau)
    {
        string source = checkpoint.Source;
        var state = checkpoint.Plateau ?? throw new InvalidDataException($"{source}: the checkpoint holds no plateau-schedule state");
        Fit(source, "plateau schedule", () => LearningRateSchedule.CheckState(state, nameof(ReduceOnPlateau), plateau.Optimizer.Groups.Count));
        foreach (string counter in (string[])["bad_epochs", "cooldown_counter"])
        {
            double value = 0;
            if (state.Values is not { } values || !values.TryGetValue(counter, out value))
                throw new InvalidDataException($"{source}: the plateau schedule state has no '{counter}'");
            if (!(value >= 0 && value <= int.MaxValue && value == Math.Floor(value)))
                throw new InvalidDataException($"{source}: the plateau schedule state's '{counter}' is {value}, expected a whole number in [0, {int.MaxValue}]");
        }
        return state;
    }

    // Runs a check or load that refuses a state with ArgumentException, as InvalidDataException naming the file.
    private static void Fit(string source, string what, Action load)
    {
        try
        {
            load();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: the {what} state does not fit: {e.Message}", e);
        }
    }
}
