using System.Text;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A building block with named parameters and named children, like PyTorch's <c>nn.Module</c>: parameter names are
/// joined by dots along the path of children (<c>encoder.weight_ih_l0</c>), so a state_dict maps onto PyTorch's.
/// Modules switch between training and evaluation mode together, can be frozen, and print a Keras-like summary.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Parameter Parameter)> _own = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private bool _training = true;

    /// <summary>Registers <paramref name="parameter"/> under its own name.</summary>
    protected Parameter RegisterParameter(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (_own.Any(p => p.Name == parameter.Name) || _children.Any(c => c.Name == parameter.Name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{parameter.Name}'", nameof(parameter));
        _own.Add((parameter.Name, parameter));
        return parameter;
    }

    /// <summary>
    /// Puts <paramref name="shared"/> (typically another module's parameter) in the slot <paramref name="name"/>, which
    /// keeps its name: weight tying, PyTorch's <c>decoder.weight = encoder.weight</c>. Both modules then read and
    /// train the one tensor, and their gradients add up in it.
    /// </summary>
    protected void TieParameter(string name, Parameter shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        int i = _own.FindIndex(p => p.Name == name);
        if (i < 0) throw new ArgumentException($"{GetType().Name} has no parameter named '{name}'", nameof(name));
        if (!Shape.Equal(_own[i].Parameter.Value.Shape, shared.Value.Shape))
            throw new ShapeMismatchException(nameof(shared), Shape.Format(_own[i].Parameter.Value.Shape), Shape.Format(shared.Value.Shape));
        _own[i] = (name, shared);
    }

    /// <summary>Registers <paramref name="module"/> as the child <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(module);
        if (name.Contains('.')) throw new ArgumentException($"a module name cannot contain '.', got '{name}'", nameof(name));
        if (_own.Any(p => p.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'", nameof(name));
        _children.Add((name, module));
        module.Training = _training;
        return module;
    }

    /// <summary>
    /// Every parameter with its dotted path, own parameters first, then each child's in registration order. A tied
    /// parameter (see <see cref="TieParameter"/>) appears once, under its first path, unless
    /// <paramref name="removeDuplicate"/> is false (PyTorch's <c>named_parameters(remove_duplicate=...)</c>); a state
    /// dict has it under every path.
    /// </summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(bool removeDuplicate = true)
    {
        var seen = removeDuplicate ? new HashSet<Parameter>(ReferenceEqualityComparer.Instance) : null;
        foreach (var entry in AllNamedParameters())
            if (seen is null || seen.Add(entry.Parameter)) yield return entry;
    }

    private IEnumerable<(string Name, Parameter Parameter)> AllNamedParameters()
    {
        foreach (var p in _own) yield return p;
        foreach (var (name, child) in _children)
            foreach (var (sub, p) in child.AllNamedParameters()) yield return (name + "." + sub, p);
    }

    /// <summary>Every parameter (same order as <see cref="NamedParameters"/>).</summary>
    public IReadOnlyList<Parameter> Parameters => NamedParameters().Select(p => p.Parameter).ToArray();

    /// <summary>The direct children with their names.</summary>
    public IReadOnlyList<(string Name, Module Module)> Children => _children;

    /// <summary>This module and every descendant with its dotted path ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        yield return ("", this);
        foreach (var (name, child) in _children)
            foreach (var (sub, m) in child.NamedModules()) yield return (sub.Length == 0 ? name : name + "." + sub, m);
    }

    /// <summary>Training mode (dropout active, activations kept for backward) when true; evaluation when false. Setting it applies to every descendant.</summary>
    public bool Training
    {
        get => _training;
        set
        {
            _training = value;
            OnTrainingChanged(value);
            foreach (var (_, c) in _children) c.Training = value;
        }
    }

    /// <summary>Called when <see cref="Training"/> is set, before the children.</summary>
    protected virtual void OnTrainingChanged(bool training) { }

    /// <summary>Number of scalar parameters.</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Count);

    /// <summary>Number of scalar parameters that optimizers update.</summary>
    public long TrainableParameterCount => Parameters.Where(p => p.RequiresGrad).Sum(p => (long)p.Count);

    /// <summary>Stops optimizers from updating any parameter of this module (gradients are still computed).</summary>
    public void Freeze()
    {
        foreach (var p in Parameters) p.RequiresGrad = false;
    }

    /// <summary>Undoes <see cref="Freeze"/>.</summary>
    public void Unfreeze()
    {
        foreach (var p in Parameters) p.RequiresGrad = true;
    }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>The parameter values by dotted name (shared tensors, not copies); a tied parameter under each of its names.</summary>
    public Dictionary<string, Tensor> StateDict() => NamedParameters(removeDuplicate: false).ToDictionary(p => p.Name, p => p.Parameter.Value);

    /// <summary>
    /// Copies values in by dotted name. With <paramref name="strict"/>, every parameter must be present and no extra
    /// names are allowed (PyTorch's load_state_dict(strict=True)); a tied parameter needs only one of its names (files
    /// written by safetensors' save_model keep just one). Shapes must always match. The error lists the names.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var named = NamedParameters(removeDuplicate: false).ToList();
        if (strict)
        {
            var (missing, unexpected) = CompareNames(state.Keys);
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException($"state dict does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]", nameof(state));
        }
        foreach (var (name, p) in named)
            if (state.TryGetValue(name, out var value))
            {
                if (!Shape.Equal(value.Shape, p.Value.Shape))
                    throw new ShapeMismatchException(name, Shape.Format(p.Value.Shape), Shape.Format(value.Shape));
                value.Span.CopyTo(p.Value.Span);
            }
    }

    /// <summary>
    /// The parameter names a state dict with these <paramref name="keys"/> lacks (a tied parameter is there if any one
    /// of its names is), and the keys that name no parameter, each list in order.
    /// </summary>
    internal (List<string> Missing, List<string> Unexpected) CompareNames(IEnumerable<string> keys)
    {
        var present = keys.ToHashSet(StringComparer.Ordinal);
        var named = NamedParameters(removeDuplicate: false).ToList();
        var found = named.Where(p => present.Contains(p.Name)).Select(p => p.Parameter).ToHashSet(ReferenceEqualityComparer.Instance);
        var missing = named.Where(p => !found.Contains(p.Parameter)).Select(p => p.Name).ToList();
        var unexpected = present.Except(named.Select(p => p.Name)).Order(StringComparer.Ordinal).ToList();
        return (missing, unexpected);
    }

    /// <summary>The output shape of the last forward through an op, for <see cref="Summary"/> (null before).</summary>
    public int[]? LastOutputShape { get; private set; }

    /// <summary>Records the output shape of a forward (allocates only when it changes).</summary>
    internal void RecordOutputShape(params ReadOnlySpan<int> shape)
    {
        if (LastOutputShape is null || !shape.SequenceEqual(LastOutputShape)) LastOutputShape = shape.ToArray();
    }

    /// <summary>A short description for summaries, e.g. <c>Linear(256 -> 65)</c>.</summary>
    public virtual string Describe() => GetType().Name;

    /// <summary>
    /// A Keras-like table of every module: name, type, output shape (from the last forward) and parameter count,
    /// with totals. Run one forward first to fill in the shapes.
    /// </summary>
    public string Summary()
    {
        var rows = NamedModules().Select(m => (
            Name: m.Name.Length == 0 ? "(model)" : m.Name,
            Type: m.Module.Describe(),
            Shape: m.Module.LastOutputShape is { } s ? Shape.Format(s) : "-",
            Params: m.Module._own.Sum(p => (long)p.Parameter.Count))).ToList();
        int w0 = Math.Max(5, rows.Max(r => r.Name.Length)), w1 = Math.Max(4, rows.Max(r => r.Type.Length)), w2 = Math.Max(12, rows.Max(r => r.Shape.Length));
        var sb = new StringBuilder();
        string line = new('-', w0 + w1 + w2 + 18);
        sb.AppendLine($"{"Layer".PadRight(w0)}  {"Type".PadRight(w1)}  {"Output shape".PadRight(w2)}  {"Params",12}");
        sb.AppendLine(line);
        foreach (var r in rows) sb.AppendLine($"{r.Name.PadRight(w0)}  {r.Type.PadRight(w1)}  {r.Shape.PadRight(w2)}  {r.Params,12:N0}");
        sb.AppendLine(line);
        sb.AppendLine($"Total params: {ParameterCount:N0}");
        sb.AppendLine($"Trainable params: {TrainableParameterCount:N0}");
        sb.Append($"Non-trainable params: {ParameterCount - TrainableParameterCount:N0}");
        return sb.ToString();
    }
}
