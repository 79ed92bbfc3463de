using System.Globalization;
using Recur.Layers;
using Recur.Tensors;

namespace Recur.Training.Optimizers;

/// <summary>
/// Base of the optimizers: parameter groups, per-parameter state tensors ("slots", e.g. Adam's <c>exp_avg</c>), step
/// counting and checkpoint state. Subclasses supply the update rule of one parameter.
/// <para>
/// Parameters are numbered across groups in order (0, 1, ...), as in PyTorch's <c>state_dict</c>. A parameter with
/// <see cref="Parameter.RequiresGrad"/> = false is skipped by <see cref="Step"/>: its value, state and step count
/// stay as they are. State is created on a parameter's first update (PyTorch's lazy state), so the first
/// <see cref="Step"/> allocates and later ones do not.
/// </para>
/// <para>
/// Checkpoints: <see cref="StateDict"/> gives the state tensors, named <c>state.&lt;parameter index&gt;.&lt;slot&gt;</c>
/// with the parameter's shape (slot names as in PyTorch: <c>momentum_buffer</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>,
/// <c>max_exp_avg_sq</c>, <c>square_avg</c>, <c>grad_avg</c>, <c>sum</c>); <see cref="ExportState"/> gives the
/// scalars (step counts, learning rates, hyper-parameters). <see cref="LoadStateDict"/> takes both back.
/// </para>
/// </summary>
public abstract class Optimizer
{
    private readonly ParameterGroup[] _groups;
    private readonly Parameter[] _parameters;
    private readonly ParameterGroup[] _groupOf;
    private readonly string[] _slotNames;
    private readonly Tensor?[][] _state;
    private readonly long[] _parameterSteps;

    /// <summary>Takes <paramref name="groups"/>, filling unset learning rates and weight decays from the defaults.</summary>
    /// <param name="groups">At least one group; a parameter may appear once only.</param>
    /// <param name="lr">Default learning rate.</param>
    /// <param name="weightDecay">Default weight decay.</param>
    /// <param name="slotNames">The names of the per-parameter state tensors this configuration keeps.</param>
    protected Optimizer(IEnumerable<ParameterGroup> groups, double lr, double weightDecay, params string[] slotNames)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ParameterGroup.CheckLearningRate(lr, nameof(lr));
        ParameterGroup.CheckWeightDecay(weightDecay, nameof(weightDecay));
        _groups = groups.ToArray();
        if (_groups.Length == 0) throw new ArgumentException("an optimizer needs at least one parameter group, got none", nameof(groups));
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var group in _groups)
        {
            ArgumentNullException.ThrowIfNull(group, nameof(groups));
            foreach (var p in group.Parameters)
                if (!seen.Add(p)) throw new ArgumentException($"parameter '{p.Name}' appears more than once across the groups", nameof(groups));
        }
        foreach (var group in _groups) group.Attach(lr, weightDecay);
        _parameters = _groups.SelectMany(g => g.Parameters).ToArray();
        _groupOf = _groups.SelectMany(g => g.Parameters.Select(_ => g)).ToArray();
        _slotNames = slotNames;
        _state = _parameters.Select(_ => new Tensor?[slotNames.Length]).ToArray();
        _parameterSteps = new long[_parameters.Length];
    }

    /// <summary>Wraps <paramref name="parameters"/> in one group.</summary>
    protected static ParameterGroup[] OneGroup(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return [new ParameterGroup(parameters)];
    }

    /// <summary>The parameter groups (one unless groups were given).</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>All parameters, numbered across groups in order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Calls of <see cref="Step"/> so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// The learning rate of the first group. Setting it scales every group alike: group g gets
    /// value · initial_lr_g / initial_lr_0, so groups keep their ratios (with one group it is simply the rate).
    /// Schedules set each group's <see cref="ParameterGroup.LearningRate"/> directly.
    /// </summary>
    public double LearningRate
    {
        get => _groups[0].LearningRate;
        set
        {
            ParameterGroup.CheckLearningRate(value, nameof(value));
            double base0 = _groups[0].InitialLearningRate;
            foreach (var group in _groups)
                group.LearningRate = base0 == 0 ? value : value * (group.InitialLearningRate / base0);
        }
    }

    /// <summary>The optimizer-wide hyper-parameters by PyTorch name (saved with the state, checked on load).</summary>
    protected abstract IEnumerable<KeyValuePair<string, double>> HyperParameters { get; }

    /// <summary>Updates one parameter from its gradient.</summary>
    /// <param name="group">The parameter's group (learning rate, weight decay).</param>
    /// <param name="index">The parameter's number, for <see cref="Slot"/>.</param>
    /// <param name="parameter">The parameter; its <see cref="Parameter.Grad"/> is read, never changed.</param>
    /// <param name="step">This parameter's update count including this one (1 on its first update).</param>
    protected abstract void Update(ParameterGroup group, int index, Parameter parameter, long step);

    /// <summary>Applies one update to every parameter that requires a gradient, from the current gradients.</summary>
    public void Step()
    {
        StepCount++;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (!p.RequiresGrad) continue;
            Update(_groupOf[i], i, p, ++_parameterSteps[i]);
        }
    }

    /// <summary>Clears every parameter's gradient (frozen ones too).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.ZeroGrad();
    }

    /// <summary>Whether state slot <paramref name="slot"/> of parameter <paramref name="index"/> exists yet.</summary>
    protected bool HasSlot(int index, int slot) => _state[index][slot] is not null;

    /// <summary>State slot <paramref name="slot"/> of parameter <paramref name="index"/>, created on first use filled with <paramref name="initialValue"/>.</summary>
    protected Span<float> Slot(int index, int slot, float initialValue = 0)
    {
        var t = _state[index][slot];
        if (t is null)
        {
            _state[index][slot] = t = new Tensor(_parameters[index].Value.Shape.ToArray());
            if (initialValue != 0) t.Fill(initialValue);
        }
        return t.Span;
    }

    /// <summary>
    /// The state tensors by name <c>state.&lt;parameter index&gt;.&lt;slot&gt;</c> (only those created so far). These are
    /// the live tensors, not copies: write them out before the next <see cref="Step"/>.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var dict = new Dictionary<string, Tensor>();
        for (int i = 0; i < _parameters.Length; i++)
            for (int s = 0; s < _slotNames.Length; s++)
                if (_state[i][s] is { } t) dict.Add(StateKey(i, s), t);
        return dict;
    }

    /// <summary>The scalar state: step counts, the groups' learning rates and weight decays, the hyper-parameters.</summary>
    public OptimizerState ExportState() => new()
    {
        Kind = GetType().Name,
        StepCount = StepCount,
        ParameterSteps = (long[])_parameterSteps.Clone(),
        Groups = _groups.Select(g => new ParameterGroupState(g.Parameters.Count, g.LearningRate, g.InitialLearningRate, g.WeightDecay)).ToArray(),
        HyperParameters = HyperParameters.ToDictionary(),
    };

    /// <summary>
    /// Restores a checkpoint taken with <see cref="StateDict"/> and <see cref="ExportState"/> from an optimizer of the
    /// same kind, groups and hyper-parameters. Learning rates and weight decays are taken from <paramref name="state"/>
    /// (as PyTorch does); state tensors missing from <paramref name="tensors"/> are cleared.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> tensors, OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(state);
        CheckCompatible(state);
        var incoming = new Tensor?[_parameters.Length][];
        for (int i = 0; i < incoming.Length; i++) incoming[i] = new Tensor?[_slotNames.Length];
        foreach (var (key, tensor) in tensors)
        {
            var (index, slot) = ParseKey(key);
            tensor.CheckShape(key, _parameters[index].Value.Shape.ToArray());
            incoming[index][slot] = tensor.Clone();
        }
        for (int i = 0; i < _parameters.Length; i++) incoming[i].CopyTo(_state[i], 0);
        state.ParameterSteps.CopyTo(_parameterSteps, 0);
        StepCount = state.StepCount;
        for (int g = 0; g < _groups.Length; g++)
        {
            _groups[g].LearningRate = state.Groups[g].LearningRate;
            _groups[g].RestoreInitialLearningRate(state.Groups[g].InitialLearningRate);
            _groups[g].WeightDecay = state.Groups[g].WeightDecay;
        }
    }

    private void CheckCompatible(OptimizerState state)
    {
        if (state.Kind != GetType().Name)
            throw new ArgumentException($"the state is from a {state.Kind} optimizer, this is a {GetType().Name}", nameof(state));
        if (state.Groups is null || state.Groups.Length != _groups.Length)
            throw new ArgumentException($"expected {_groups.Length} parameter groups, the state has {state.Groups?.Length ?? 0}", nameof(state));
        for (int g = 0; g < _groups.Length; g++)
            if (state.Groups[g].ParameterCount != _groups[g].Parameters.Count)
                throw new ArgumentException($"group {g}: expected {_groups[g].Parameters.Count} parameters, the state has {state.Groups[g].ParameterCount}", nameof(state));
        if (state.ParameterSteps is null || state.ParameterSteps.Length != _parameters.Length)
            throw new ArgumentException($"expected {_parameters.Length} parameter step counts, the state has {state.ParameterSteps?.Length ?? 0}", nameof(state));
        var saved = state.HyperParameters ?? [];
        foreach (var (name, value) in HyperParameters)
        {
            if (!saved.TryGetValue(name, out double savedValue))
                throw new ArgumentException($"the state lacks hyper-parameter '{name}' (expected {value})", nameof(state));
            if (!savedValue.Equals(value))
                throw new ArgumentException($"hyper-parameter '{name}': this optimizer has {value}, the state has {savedValue}", nameof(state));
        }
    }

    private string StateKey(int index, int slot) => string.Create(CultureInfo.InvariantCulture, $"state.{index}.{_slotNames[slot]}");

    private (int Index, int Slot) ParseKey(string key)
    {
        string[] parts = key.Split('.');
        if (parts.Length == 3 && parts[0] == "state"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < _parameters.Length)
        {
            int slot = Array.IndexOf(_slotNames, parts[2]);
            if (slot >= 0) return (index, slot);
        }
        throw new ArgumentException(
            $"unexpected state tensor '{key}': expected state.<0..{_parameters.Length - 1}>.<{string.Join("|", _slotNames)}>", "tensors");
    }
}
