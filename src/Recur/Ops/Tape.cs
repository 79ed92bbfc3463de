using Recur.Layers;
using Recur.Tensors;

namespace Recur.Ops;

/// <summary>
/// Reverse-mode differentiation over coarse operations. Ops (extension methods on the tape: <c>tape.Linear(...)</c>,
/// <c>tape.Recurrent(...)</c>, <c>tape.CrossEntropy(...)</c>) compute their forward at once and record a node;
/// <see cref="Backward"/> visits the nodes in reverse and each applies its hand-written backward.
/// <para>One tape serves one training step after another: <see cref="Reset"/> rewinds it, and the tensors it handed
/// out are handed out again to the same ops in the same order, so a step of a fixed architecture allocates nothing
/// after the first. Consequently every Var (and every tensor an op returned) belongs to the step that made it:
/// after <see cref="Reset"/> it is reused and must not be touched; copy values out (e.g. the loss) before resetting.</para>
/// </summary>
public sealed class Tape
{
    private readonly List<Node> _nodes = [];
    private readonly List<Tensor> _tensors = [];
    private readonly List<Var> _vars = [];
    private int _nextVar;
    private readonly Dictionary<Type, (List<Node> Items, int Next)> _nodePool = [];
    private readonly List<Type> _nodeTypes = [];
    private readonly Dictionary<object, WorkspacePool> _workspaces = new(ReferenceEqualityComparer.Instance);
    private readonly List<WorkspacePool> _workspacePools = [];
    private int _nextTensor;
    private bool _backwardDone;

    /// <summary>Counts <see cref="Reset"/> calls: identifies the step being recorded.</summary>
    public long Step { get; private set; }

    /// <summary>Number of nodes recorded since the last <see cref="Reset"/>.</summary>
    public int Count => _nodes.Count;

    /// <summary>Forgets the recorded graph so that the tape can record the next step (its buffers are reused).</summary>
    public void Reset()
    {
        _nodes.Clear();
        Step++;
        _nextTensor = 0;
        _nextVar = 0;
        foreach (var key in _nodeTypes) _nodePool[key] = (_nodePool[key].Items, 0);
        foreach (var pool in _workspacePools) pool.Next = 0;
        _backwardDone = false;
    }

    /// <summary>A data input (no gradient), or one to differentiate with respect to when <paramref name="requiresGrad"/>.</summary>
    public Var Input(Tensor value, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        return NewVar(value, requiresGrad, null);
    }

    /// <summary>A parameter: its gradient accumulates straight into <see cref="Parameter.Grad"/>.</summary>
    public Var Param(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return NewVar(parameter.Value, true, parameter.Grad);
    }

    /// <summary>
    /// Backpropagates from the scalar <paramref name="loss"/> (one element), seeding ∂L/∂loss = <paramref name="seed"/>.
    /// Parameter gradients accumulate (call ZeroGrad between steps); other gradients are written into <see cref="Var.Grad"/>.
    /// </summary>
    public void Backward(Var loss, float seed = 1f)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (loss.Value.Length != 1) throw new ShapeMismatchException(nameof(loss), "a scalar (one element)", Shape.Format(loss.Value.Shape));
        if (_backwardDone) throw new InvalidOperationException("Backward was already run on this tape; call Reset and record the step again");
        _backwardDone = true;
        GradOf(loss)[0] += seed;
        for (int i = _nodes.Count - 1; i >= 0; i--) _nodes[i].Backward(this);
    }

    /// <summary>A tensor of <paramref name="shape"/> from the tape's arena (contents undefined).</summary>
    internal Tensor Alloc(params ReadOnlySpan<int> shape)
    {
        if (_nextTensor < _tensors.Count)
        {
            var t = _tensors[_nextTensor];
            if (!Shape.Equal(t.Shape, shape)) _tensors[_nextTensor] = t = new Tensor(shape.ToArray());
            _nextTensor++;
            return t;
        }
        var n = new Tensor(shape.ToArray());
        _tensors.Add(n);
        _nextTensor++;
        return n;
    }

    /// <summary>A zero-filled arena tensor shaped like <paramref name="like"/>.</summary>
    internal Tensor Zeros(ReadOnlySpan<int> like)
    {
        var t = Alloc(like);
        t.Clear();
        return t;
    }

    /// <summary>An output variable whose value is an arena tensor of <paramref name="shape"/>.</summary>
    internal Var Output(bool requiresGrad, params ReadOnlySpan<int> shape) => NewVar(Alloc(shape), requiresGrad, null);

    // Var objects are reused across steps like the tensors they hold.
    private Var NewVar(Tensor value, bool requiresGrad, Tensor? grad)
    {
        if (_nextVar == _vars.Count) _vars.Add(new Var());
        return _vars[_nextVar++].Set(value, requiresGrad, grad);
    }

    /// <summary>∂L/∂v, created as zeros on first use (for parameters: their accumulating gradient).</summary>
    internal Tensor GradOf(Var v) => v.Grad ??= Zeros(v.Value.Shape);

    /// <summary>A node object of type <typeparamref name="T"/>, reused from earlier steps when possible.</summary>
    internal T Record<T>() where T : Node, new()
    {
        if (!_nodePool.TryGetValue(typeof(T), out var pool))
        {
            pool = ([], 0);
            _nodeTypes.Add(typeof(T));
        }
        T node;
        if (pool.Next < pool.Items.Count) node = (T)pool.Items[pool.Next];
        else
        {
            node = new T();
            pool.Items.Add(node);
        }
        _nodePool[typeof(T)] = (pool.Items, pool.Next + 1);
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// The workspace of the k-th use of <paramref name="owner"/> in this step (k counts calls since <see cref="Reset"/>),
    /// made by <paramref name="make"/> the first time: an op whose backward needs more than its output tensors (e.g. a
    /// recurrent layer's activations) keeps it there, so the same owner can be used several times in one step and a
    /// step of a fixed architecture allocates nothing after the first.
    /// </summary>
    internal T Workspace<T>(object owner, Func<object, T> make) where T : class
    {
        if (!_workspaces.TryGetValue(owner, out var pool))
        {
            _workspaces[owner] = pool = new WorkspacePool();
            _workspacePools.Add(pool);
        }
        if (pool.Next == pool.Items.Count) pool.Items.Add(make(owner));
        return (T)pool.Items[pool.Next++];
    }

    private sealed class WorkspacePool
    {
        public readonly List<object> Items = [];
        public int Next;
    }

    /// <summary>True when any of the values needs a gradient (so the op must be recorded).</summary>
    internal static bool AnyGrad(Var? a, Var? b = null, Var? c = null) => (a?.RequiresGrad ?? false) || (b?.RequiresGrad ?? false) || (c?.RequiresGrad ?? false);
}
