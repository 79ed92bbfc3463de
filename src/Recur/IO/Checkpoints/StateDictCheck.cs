using Recur.Layers;
using Recur.Tensors;

namespace Recur.IO.Checkpoints;

/// <summary>Checks that stored weights fit a module before they are copied in, with errors that name the file and the tensor.</summary>
internal static class StateDictCheck
{
    /// <summary>
    /// Throws unless every tensor of <paramref name="state"/> that names a parameter of <paramref name="model"/> has its
    /// shape, and (with <paramref name="strict"/>) every parameter is present and nothing else is. Messages name
    /// <paramref name="source"/> and each tensor as the file does, with <paramref name="prefix"/> (<c>model.</c> in a
    /// checkpoint, nothing in a state_dict file).
    /// </summary>
    public static void Require(Module model, IReadOnlyDictionary<string, Tensor> state, string source, string prefix, bool strict)
    {
        var named = model.NamedParameters(removeDuplicate: false).ToList(); // a state dict names tied parameters under every path
        if (strict)
        {
            var (missingNames, unexpectedNames) = model.CompareNames(state.Keys);
            var missing = missingNames.Select(n => prefix + n).ToList();
            var unexpected = unexpectedNames.Select(n => prefix + n).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new InvalidDataException(
                    $"{source}: the tensors do not match the {model.GetType().Name}'s parameters: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        }
        foreach (var (name, p) in named)
            if (state.TryGetValue(name, out var t) && !Shape.Equal(t.Shape, p.Value.Shape))
                throw new InvalidDataException(
                    $"{source}: tensor '{prefix}{name}' has shape {Shape.Format(t.Shape)} but the {model.GetType().Name} needs {Shape.Format(p.Value.Shape)}");
    }
}
