namespace Recur.Tasks;

/// <summary>
/// The training-loop settings every task shares (saved in <c>model.json</c> so that <c>--resume</c> continues the same
/// run). When neither <see cref="Epochs"/> nor <see cref="Minutes"/> is set the task's default epoch count applies;
/// when both are set, training stops at whichever comes first.
/// </summary>
public sealed record TrainingSettings
{
    /// <summary>Most epochs (counting those of a resumed run); null = the task's default, or unlimited with <see cref="Minutes"/>.</summary>
    public int? Epochs { get; init; }

    /// <summary>Wall-clock budget of the whole run in minutes (validation and saving included); null = none.</summary>
    public double? Minutes { get; init; }

    /// <summary>Sequences (or text lanes) per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Decoupled weight decay (AdamW) when &gt; 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Clip the global gradient norm to this; 0 = off.</summary>
    public double Clip { get; init; } = 5;

    /// <summary>Stop after this many epochs without improvement of the monitored metric; 0 = never.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>
    /// Halve the learning rate after this many epochs without improvement of the monitored metric (Keras'
    /// ReduceLROnPlateau), so that a run keeps improving with smaller steps instead of stopping; 0 = never.
    /// </summary>
    public int LrPatience { get; init; }

    /// <summary>Seed of the weights, dropout, the validation split and shuffling.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Held-out share of the data when no separate validation file is given.</summary>
    public double ValidFraction { get; init; } = 0.1;

    /// <summary>
    /// Most items validated each epoch (texts, sentences, characters): a larger held-out part is sampled once,
    /// deterministically from the seed, and the same sample serves every epoch, so validation takes a bounded share of
    /// the budget. Null = the task's default; <c>recur eval</c> scores a whole file.
    /// </summary>
    public int? ValidSize { get; init; }

    /// <summary>The training data file.</summary>
    public string Data { get; init; } = "";

    /// <summary>A separate validation file, or null to hold out <see cref="ValidFraction"/> of <see cref="Data"/>.</summary>
    public string? Valid { get; init; }

    /// <summary>
    /// A deterministic sample of at most <see cref="ValidSize"/> (else <paramref name="defaultSize"/>) of
    /// <paramref name="items"/>, in their order (all of them when there are no more).
    /// </summary>
    public List<T> ValidationSample<T>(List<T> items, int defaultSize)
    {
        ArgumentNullException.ThrowIfNull(items);
        int size = ValidSize ?? defaultSize;
        if (items.Count <= size) return items;
        var order = Enumerable.Range(0, items.Count).ToArray();
        new Tensors.Rng(Seed ^ 0x7A11_DA7Eul).Shuffle<int>(order);
        return [.. order.Take(size).Order().Select(i => items[i])];
    }

    /// <summary>Checks the values; the message names the setting as the command line spells it.</summary>
    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        if (Epochs is < 1) throw new ArgumentException($"--epochs must be at least 1, got {Epochs}");
        if (Minutes is { } m && !(m > 0)) throw new ArgumentException($"--minutes must be positive, got {m}");
        if (BatchSize < 1) throw new ArgumentException($"--batch must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"--lr must be positive, got {LearningRate}");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"--weight-decay must be >= 0, got {WeightDecay}");
        if (!(Clip >= 0)) throw new ArgumentException($"--clip must be >= 0, got {Clip}");
        if (Patience < 0) throw new ArgumentException($"--patience must be >= 0, got {Patience}");
        if (LrPatience < 0) throw new ArgumentException($"--lr-patience must be >= 0, got {LrPatience}");
        if (ValidSize is < 1) throw new ArgumentException($"--valid-size must be at least 1, got {ValidSize}");
        if (Valid is null && !(ValidFraction > 0 && ValidFraction < 1)) throw new ArgumentException($"--valid-fraction must be in (0, 1), got {ValidFraction}");
    }
}
