using System.CommandLine;
using Recur.Layers;
using Recur.Models;

namespace Recur.Cli.Hosting;

/// <summary>The options that shape a recurrent stack (<see cref="RecurrentConfig"/>), shared by the training commands.</summary>
internal sealed class RecurrentOptions
{
    private readonly bool _directional;

    /// <param name="defaults">The task's default stack (shown in the help).</param>
    /// <param name="directional">Whether --bidirectional is offered (a language model cannot read backwards).</param>
    public RecurrentOptions(RecurrentConfig defaults, bool directional = true)
    {
        _directional = directional;
        Cell = new Choice<CellKind>("--cell", "Recurrent cell", ConfigJson.Name(defaults.Cell));
        Nonlinearity = new Choice<RnnNonlinearity>("--nonlinearity", "Activation of a vanilla RNN cell (--cell rnn)", ConfigJson.Name(defaults.Nonlinearity));
        Hidden = new Option<int?>("--hidden") { Description = $"Hidden units per layer{(defaults.Bidirectional ? " and direction" : "")} [default: {defaults.HiddenSize}]", HelpName = "N" };
        Layers = new Option<int?>("--layers") { Description = $"Stacked recurrent layers [default: {defaults.NumLayers}]", HelpName = "N" };
        Bidirectional = new Option<bool?>("--bidirectional") { Description = $"Read each sequence in both directions [default: {(defaults.Bidirectional ? "true" : "false")}]", HelpName = "true|false" };
        Dropout = new Option<float?>(directional ? "--rnn-dropout" : "--dropout")
        {
            Description = $"Dropout between stacked recurrent layers, in [0, 1); needs --layers 2 or more [default: {defaults.Dropout}]",
            HelpName = "P",
        };
    }

    public Choice<CellKind> Cell { get; }
    public Choice<RnnNonlinearity> Nonlinearity { get; }
    public Option<int?> Hidden { get; }
    public Option<int?> Layers { get; }
    public Option<bool?> Bidirectional { get; }
    public Option<float?> Dropout { get; }

    /// <summary>The options in help order.</summary>
    public IEnumerable<Option> All => _directional
        ? [Cell.Option, Nonlinearity.Option, Hidden, Layers, Bidirectional, Dropout]
        : [Cell.Option, Nonlinearity.Option, Hidden, Layers, Dropout];

    /// <summary>The given values over <paramref name="c"/>.</summary>
    public RecurrentConfig Apply(GivenOptions g, RecurrentConfig c)
    {
        if (Cell.TryGet(g, out var cell)) c = c with { Cell = cell };
        if (Nonlinearity.TryGet(g, out var act)) c = c with { Nonlinearity = act };
        if (g.TryGet(Hidden, out int h)) c = c with { HiddenSize = h };
        if (g.TryGet(Layers, out int l)) c = c with { NumLayers = l };
        if (_directional && g.TryGet(Bidirectional, out bool bi)) c = c with { Bidirectional = bi };
        if (g.TryGet(Dropout, out float p)) c = c with { Dropout = p };
        return c;
    }

    /// <summary>Warnings about settings that do nothing (as PyTorch warns): dropout between layers of a one-layer stack.</summary>
    public static IEnumerable<string> Warnings(RecurrentConfig c, string dropoutOption)
    {
        if (c.Dropout > 0 && c.NumLayers == 1)
            yield return $"{dropoutOption} {c.Dropout} does nothing with one layer (it applies between stacked layers; add --layers 2)";
    }
}
