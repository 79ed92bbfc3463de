using Recur.Data.Files;
using Recur.Data.Text;

namespace Recur.Data.Formats;

/// <summary>
/// Maps class labels to indices 0..C-1, fitted on the training labels only (classes in ordinal order, so the
/// mapping is deterministic). A label not seen in training is an error naming it and, for records, the file and
/// line — never a silent extra class. Stored as a <see cref="Text.Vocabulary"/> without special tokens.
/// </summary>
public sealed class LabelEncoder
{
    /// <summary>Wraps a label vocabulary (one without special tokens).</summary>
    public LabelEncoder(Vocabulary classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Specials.Present().Any()) throw new ArgumentException("a label vocabulary has no special tokens", nameof(classes));
        Vocabulary = classes;
    }

    /// <summary>The classes as a vocabulary (for saving with a checkpoint).</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Number of classes C.</summary>
    public int Count => Vocabulary.Count;

    /// <summary>The class names in index order.</summary>
    public IReadOnlyList<string> Classes => Vocabulary.Tokens;

    /// <summary>Fits on the labels of the training set.</summary>
    public static LabelEncoder Fit(IEnumerable<string> labels)
        => new(Vocabulary.Build(labels, new VocabularyOptions { Specials = SpecialTokens.None, Order = VocabularyOrder.Ordinal }));

    /// <summary>Fits on the labels of labelled texts.</summary>
    public static LabelEncoder Fit(IEnumerable<LabelledText> training) => Fit(training.Select(t => t.Label));

    /// <summary>Index of <paramref name="label"/>.</summary>
    /// <exception cref="UnknownTokenException">The label was not seen in training.</exception>
    public int Encode(string label)
    {
        if (Vocabulary.TryGetIndex(label, out int i)) return i;
        throw new UnknownTokenException(label, $"the {Count} labels seen in training ({string.Join(", ", Classes)})");
    }

    /// <summary>Indices of the labels of <paramref name="records"/> from <paramref name="source"/> (named in errors with the record's line).</summary>
    public int[] Encode(IReadOnlyList<LabelledText> records, string source)
    {
        ArgumentNullException.ThrowIfNull(records);
        var result = new int[records.Count];
        for (int k = 0; k < records.Count; k++)
        {
            if (!Vocabulary.TryGetIndex(records[k].Label, out result[k]))
                throw new DataFormatException(source, records[k].Line, $"label {UnknownTokenException.Describe(records[k].Label)} was not seen in training (known: {string.Join(", ", Classes)})");
        }
        return result;
    }

    /// <summary>The class name of index <paramref name="index"/>.</summary>
    public string Decode(int index) => Vocabulary[index];
}
