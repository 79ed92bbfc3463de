using System.Text.Json;
using Recur.IO.Safetensors;
using Recur.Layers;
using Recur.Tensors;
using Recur.Tests.IO;
using Recur.Training.Optimizers;

namespace Recur.Tests.Training.Optimizers;

/// <summary>
/// One case of tests/fixtures/optim/trajectories.safetensors (format in make_trajectories.py): a PyTorch optimizer's
/// configuration, the gradients it was fed and the parameters after every step.
/// </summary>
internal sealed class OptimizerFixture
{
    public static readonly string[] ParameterNames = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"];

    private static readonly Lazy<(SafetensorsFile File, Dictionary<string, JsonElement> Cases)> Data = new(() =>
    {
        var file = SafetensorsFile.Open(Path.Combine(Fixtures.Dir("optim"), "trajectories.safetensors"));
        var cases = JsonDocument.Parse(file.Metadata["cases"]).RootElement.EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!);
        return (file, cases);
    });

    public static IEnumerable<string> CaseNames => Data.Value.Cases.Keys;

    public static OptimizerFixture Load(string name) => new(name, Data.Value.Cases[name], Data.Value.File);

    private OptimizerFixture(string name, JsonElement json, SafetensorsFile file)
    {
        Name = name;
        Json = json;
        foreach (var p in ParameterNames)
        {
            Values[p] = file.ReadTensor($"{name}/{p}/values");
            Grads[p] = file.ReadTensor($"{name}/{p}/grads");
        }
        Steps = Grads[ParameterNames[0]].Dim(0);
    }

    public string Name { get; }
    public JsonElement Json { get; }
    public int Steps { get; }
    public Dictionary<string, Tensor> Values { get; } = [];
    public Dictionary<string, Tensor> Grads { get; } = [];

    public string OptimizerName => Json.GetProperty("optimizer").GetString()!;
    public bool HasSchedule => Json.GetProperty("schedule").ValueKind != JsonValueKind.Null;
    public double LearningRate(int step, int group) => Json.GetProperty("lrs")[step][group].GetDouble();

    /// <summary>Fresh parameters holding the values before the first step; frozen ones marked.</summary>
    public Dictionary<string, Parameter> CreateParameters()
    {
        var frozen = Json.GetProperty("frozen").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        var result = new Dictionary<string, Parameter>();
        foreach (var n in ParameterNames)
        {
            var v = Values[n].Row(0);
            var p = new Parameter(n, v.Shape.ToArray()) { RequiresGrad = !frozen.Contains(n) };
            p.Load(v);
            result[n] = p;
        }
        return result;
    }

    /// <summary>Loads the gradient PyTorch computed before <paramref name="step"/> into each parameter.</summary>
    public void SetGradients(Dictionary<string, Parameter> parameters, int step)
    {
        foreach (var (n, p) in parameters) Grads[n].Row(step).Span.CopyTo(p.Grad.Span);
    }

    /// <summary>The optimizer the case describes, over <paramref name="parameters"/> (in groups when the case has them).</summary>
    public Optimizer CreateOptimizer(Dictionary<string, Parameter> parameters)
    {
        var kw = Json.GetProperty("kwargs");
        double Get(string key, double fallback) => kw.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;
        bool Flag(string key) => kw.TryGetProperty(key, out var v) && v.GetBoolean();
        double lr = Get("lr", double.NaN), wd = Get("weight_decay", OptimizerName == "AdamW" ? 1e-2 : 0);
        var groupsJson = Json.GetProperty("groups");
        var groups = groupsJson.ValueKind == JsonValueKind.Null
            ? [new ParameterGroup(ParameterNames.Select(n => parameters[n]))]
            : groupsJson.EnumerateArray().Select(g => new ParameterGroup(
                g.GetProperty("params").EnumerateArray().Select(e => parameters[e.GetString()!]),
                g.TryGetProperty("lr", out var glr) ? glr.GetDouble() : null,
                g.TryGetProperty("weight_decay", out var gwd) ? gwd.GetDouble() : null)).ToArray();
        return OptimizerName switch
        {
            "SGD" => new Sgd(groups, lr, Get("momentum", 0), Get("dampening", 0), Flag("nesterov"), wd),
            "Adam" => new Adam(groups, lr, Get("beta1", 0.9), Get("beta2", 0.999), Get("eps", 1e-8), wd, Flag("amsgrad")),
            "AdamW" => new AdamW(groups, lr, Get("beta1", 0.9), Get("beta2", 0.999), Get("eps", 1e-8), wd, Flag("amsgrad")),
            "RMSprop" => new RmsProp(groups, lr, Get("alpha", 0.99), Get("eps", 1e-8), wd, Get("momentum", 0), Flag("centered")),
            "Adagrad" => new Adagrad(groups, lr, Get("lr_decay", 0), wd, Get("initial_accumulator_value", 0), Get("eps", 1e-10)),
            _ => throw new InvalidOperationException($"unknown optimizer {OptimizerName}"),
        };
    }
}
