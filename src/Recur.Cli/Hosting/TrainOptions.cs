using System.CommandLine;
using System.Globalization;
using Recur.Tasks;

namespace Recur.Cli.Hosting;

/// <summary>
/// The options every <c>recur train &lt;task&gt;</c> shares: data, validation, output folder, resume, budget and the
/// training loop. Defaults are the task's (shown in the help); a value given on the command line replaces them.
/// </summary>
internal sealed class TrainOptions
{
    public TrainOptions(TrainingSettings defaults, string dataHelp, string defaultBudget, string validHelp)
    {
        string Num(double v) => v.ToString(CultureInfo.InvariantCulture);
        Data = new Option<string?>("--data") { Description = dataHelp, HelpName = "FILE" };
        Valid = new Option<string?>("--valid") { Description = "A separate validation file (default: " + validHelp + ")", HelpName = "FILE" };
        ValidFraction = new Option<double?>("--valid-fraction") { Description = $"Share of --data held out for validation when there is no --valid file [default: {Num(defaults.ValidFraction)}]", HelpName = "F" };
        ValidSize = new Option<int?>("--valid-size") { Description = "Most items (texts, sentences, characters) validated each epoch: a larger held-out part is sampled once, the same sample every epoch [default: the task's]", HelpName = "N" };
        Out = new Option<string?>("--out", "-o") { Description = "The model folder to write (default: a new runs/<task>-<date>-<time>)", HelpName = "DIR" };
        Overwrite = new Option<bool>("--overwrite") { Description = "Replace the model in a non-empty --out folder" };
        Resume = new Option<string?>("--resume") { Description = "Continue the run in DIR from its last checkpoint, with its recorded data and settings; --epochs N and --minutes M then mean that much more", HelpName = "DIR" };
        Epochs = new Option<int?>("--epochs") { Description = $"Most epochs (passes over the training data) [default: {defaultBudget}]; with --minutes, training stops at whichever comes first", HelpName = "N" };
        Minutes = new Option<double?>("--minutes") { Description = "Wall-clock budget in minutes; with --epochs, training stops at whichever comes first", HelpName = "M" };
        Batch = new Option<int?>("--batch") { Description = $"Examples per batch [default: {defaults.BatchSize}]", HelpName = "N" };
        Lr = new Option<double?>("--lr") { Description = $"Adam learning rate [default: {Num(defaults.LearningRate)}]", HelpName = "X" };
        WeightDecay = new Option<double?>("--weight-decay") { Description = "Decoupled weight decay (AdamW) [default: 0]", HelpName = "X" };
        Clip = new Option<double?>("--clip") { Description = $"Clip the global gradient norm to this (0 = off) [default: {Num(defaults.Clip)}]", HelpName = "X" };
        LrPatience = new Option<int?>("--lr-patience") { Description = $"Halve the learning rate after this many epochs without a better validation score (0 = never) [default: {defaults.LrPatience}]", HelpName = "N" };
        Patience = new Option<int?>("--patience") { Description = $"Stop after this many epochs without a better validation score (0 = never) [default: {defaults.Patience}]", HelpName = "N" };
        Seed = new Option<ulong?>("--seed") { Description = $"Seed for weights, dropout, the validation split and shuffling [default: {defaults.Seed}]", HelpName = "N" };
    }

    public Option<string?> Data { get; }
    public Option<string?> Valid { get; }
    public Option<double?> ValidFraction { get; }
    public Option<int?> ValidSize { get; }
    public Option<string?> Out { get; }
    public Option<bool> Overwrite { get; }
    public Option<string?> Resume { get; }
    public Option<int?> Epochs { get; }
    public Option<double?> Minutes { get; }
    public Option<int?> Batch { get; }
    public Option<double?> Lr { get; }
    public Option<double?> WeightDecay { get; }
    public Option<double?> Clip { get; }
    public Option<int?> Patience { get; }
    public Option<int?> LrPatience { get; }
    public Option<ulong?> Seed { get; }

    /// <summary>The options in help order.</summary>
    public IEnumerable<Option> All => [Data, Valid, ValidFraction, ValidSize, Out, Overwrite, Resume, Epochs, Minutes, Batch, Lr, WeightDecay, Clip, LrPatience, Patience, Seed];

    /// <summary>Options that a resumed run may be given: they extend it rather than change it.</summary>
    public bool ExtendsARun(Option o) => o == Epochs || o == Minutes || o == Resume || o == Out || o == Overwrite;

    /// <summary>The given values over <paramref name="s"/> (the budget excepted: see <see cref="Budget"/>).</summary>
    public TrainingSettings Apply(GivenOptions g, TrainingSettings s)
    {
        if (g.TryGet(Data, out var data)) s = s with { Data = data };
        if (g.TryGet(Valid, out var valid)) s = s with { Valid = valid };
        if (g.TryGet(ValidFraction, out double f)) s = s with { ValidFraction = f };
        if (g.TryGet(ValidSize, out int vs)) s = s with { ValidSize = vs };
        if (g.TryGet(Batch, out int b)) s = s with { BatchSize = b };
        if (g.TryGet(Lr, out double lr)) s = s with { LearningRate = lr };
        if (g.TryGet(WeightDecay, out double wd)) s = s with { WeightDecay = wd };
        if (g.TryGet(Clip, out double clip)) s = s with { Clip = clip };
        if (g.TryGet(Patience, out int patience)) s = s with { Patience = patience };
        if (g.TryGet(LrPatience, out int lrPatience)) s = s with { LrPatience = lrPatience };
        if (g.TryGet(Seed, out ulong seed)) s = s with { Seed = seed };
        return s;
    }

    /// <summary>
    /// The budget: a new run takes --epochs and --minutes as given (neither: the task's default); a resumed run that
    /// completed <paramref name="done"/> epochs gets --epochs more epochs and --minutes more minutes, or, with
    /// neither, continues to its recorded epoch count (or for its recorded minutes).
    /// </summary>
    public TrainingSettings Budget(ParseResult p, TrainingSettings s, int? done)
    {
        int? epochs = p.GetValue(Epochs);
        double? minutes = p.GetValue(Minutes);
        if (epochs is < 1) throw new UserError($"--epochs must be at least 1, got {epochs}");
        if (minutes is { } m && !(m > 0)) throw new UserError($"--minutes must be positive, got {m}");
        if (done is not { } d) return epochs is null && minutes is null ? s : s with { Epochs = epochs, Minutes = minutes };
        if (epochs is null && minutes is null) return s;
        return s with { Epochs = epochs is { } e ? d + e : null, Minutes = minutes };
    }
}
