using System.Text;
using System.Text.Json.Nodes;
using Recur.Data.Batching;
using Recur.Data.Files;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tasks.LanguageModel;

/// <summary>
/// A trained character language model (<c>recur train charlm</c>): scores text in bits per character and generates
/// text, reading input as in training.
/// <para>model.json sections: <c>architecture</c> = <see cref="CharLanguageModelConfig"/>; <c>preprocessing</c> =
/// <c>text</c> (<see cref="CharTextPreprocessing"/>); <c>vocabularies</c> = <c>chars</c>. A folder of the earlier
/// layout, or a single checkpoint file, loads with a manifest made up from its checkpoint (text read as it is, as it
/// was then).</para>
/// </summary>
public sealed class TrainedCharLm : TrainedModel
{
    private readonly object _gate = new();

    internal TrainedCharLm(ModelManifest manifest, CharLanguageModel network, CharTextPreprocessing preprocessing, Vocabulary vocabulary,
        string source, string? checkpointPath)
        : base(manifest, network, source)
    {
        Network = network;
        Preprocessing = preprocessing;
        Vocabulary = vocabulary;
        CheckpointPath = checkpointPath;
    }

    /// <summary>The network.</summary>
    public new CharLanguageModel Network { get; }

    /// <summary>How text is read.</summary>
    public CharTextPreprocessing Preprocessing { get; }

    /// <summary>The characters (with &lt;unk&gt;).</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>For a model loaded from a checkpoint file (the earlier layout): that file; else null.</summary>
    public string? CheckpointPath { get; }

    internal static ModelManifest BuildManifest(CharLanguageModelConfig config, CharTextPreprocessing preprocessing, Vocabulary vocabulary, TrainingRecord? training) => new()
    {
        Kind = TaskKind.CharLm,
        Architecture = (JsonObject)ModelManifest.ToNode(config),
        Preprocessing = new JsonObject { ["text"] = ModelManifest.ToNode(preprocessing) },
        Vocabularies = new JsonObject { ["chars"] = ModelManifest.ToNode(vocabulary.ToDocument()) },
        Training = training,
    };

    internal static TrainedCharLm Load(ModelFolder folder, ModelManifest manifest)
    {
        string source = folder.ManifestPath;
        var config = ModelManifest.Read<CharLanguageModelConfig>(manifest.Architecture, "architecture", source);
        var preprocessing = ModelManifest.Read<CharTextPreprocessing>(manifest.Preprocessing["text"], "preprocessing.text", source);
        var vocabulary = ModelManifest.ReadVocabulary(manifest.Vocabularies["chars"], "vocabularies.chars", source);
        if (vocabulary.Count != config.VocabSize) throw new InvalidDataException($"{source}: {vocabulary.Count} characters but the architecture has {config.VocabSize}");
        var network = new CharLanguageModel(config, new Rng(0));
        network.LoadSafetensors(folder.WeightsPath);
        return new TrainedCharLm(manifest, network, preprocessing, vocabulary, folder.Path, null);
    }

    /// <summary>Loads a <c>charlm</c> checkpoint file (the earlier layout's best.safetensors or last.safetensors, or a new folder's checkpoints).</summary>
    /// <exception cref="InvalidDataException">Not a character language model checkpoint.</exception>
    public static TrainedCharLm LoadCheckpoint(string path)
    {
        var checkpoint = Checkpoint.Load(path, CharLanguageModelCheckpoint.Kind);
        var (model, vocabulary) = CharLanguageModelCheckpoint.Rebuild(checkpoint);
        var manifest = BuildManifest(model.Config, CharTextPreprocessing.Legacy, vocabulary, null) with { SavedUtc = checkpoint.SavedUtc, RecurVersion = checkpoint.RecurVersion };
        return new TrainedCharLm(manifest, model, CharTextPreprocessing.Legacy, vocabulary, path, path);
    }

    /// <summary>The text of <paramref name="path"/> (UTF-8, gzip transparent) as the model reads it.</summary>
    public string ReadText(string path) => Read(Preprocessing, path);

    /// <summary>
    /// The text of <paramref name="path"/> read as <paramref name="preprocessing"/> says (strict UTF-8, gzip transparent),
    /// exactly as training reads it into its token cache (<see cref="NormalizedCodePointReader"/>).
    /// </summary>
    public static string Read(CharTextPreprocessing preprocessing, string path)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        using var reader = new NormalizedCodePointReader(DataFile.OpenRead(path), DataFile.DisplayName(path), preprocessing.Normalization, preprocessing.NormalizeLineEndings);
        var sb = new StringBuilder();
        Span<char> utf16 = stackalloc char[2];
        for (var chunk = reader.Next(); !chunk.IsEmpty; chunk = reader.Next())
            foreach (int c in chunk) sb.Append(utf16[..new Rune(c).EncodeToUtf16(utf16)]);
        return sb.ToString();
    }

    /// <summary>Character indices of <paramref name="text"/> (already read with <see cref="ReadText"/> or <see cref="CharTextPreprocessing.Apply"/>); unknown characters are &lt;unk&gt;.</summary>
    public int[] Encode(string text) => new CharEncoder(Vocabulary).Encode(text);

    /// <summary>
    /// Bits per character of <paramref name="tokens"/>: Σ -log2 p(x_{t+1} | x_≤t) / N over every predicted character, the
    /// text cut into <paramref name="lanes"/> parallel lanes read in chunks of <paramref name="steps"/> with the state
    /// carried, as training validates. Returns it and N.
    /// </summary>
    public (double BitsPerChar, long Count) BitsPerCharacter(ReadOnlySpan<int> tokens, int lanes = 32, int steps = 100) =>
        BitsPerCharacter(TokenStream.FromIndices(tokens, Vocabulary.Count), lanes, steps);

    /// <inheritdoc cref="BitsPerCharacter(ReadOnlySpan{int}, int, int)"/>
    public (double BitsPerChar, long Count) BitsPerCharacter(TokenStream tokens, int lanes = 32, int steps = 100)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Length < 2) throw new ArgumentException($"{tokens.Length} characters: at least 2 are needed to predict one", nameof(tokens));
        int b = Math.Max(1, Math.Min(lanes, (tokens.Length - 1) / (steps + 1)));
        var batcher = new LanguageModelBatcher(tokens, b, steps);
        lock (_gate) return (Network.BitsPerCharacter(batcher), (long)batcher.BatchSize * batcher.LaneLength);
    }

    /// <summary>
    /// Samples <paramref name="length"/> characters after <paramref name="prompt"/> (see <see cref="CharLanguageModel.Generate"/>);
    /// <paramref name="emit"/> receives each as it is drawn. Never emits a special token (&lt;unk&gt;).
    /// </summary>
    public void Generate(string prompt, int length, double temperature, int topK, Rng rng, Action<string> emit)
    {
        ArgumentNullException.ThrowIfNull(emit);
        int[] indices = Encode(Preprocessing.Apply(prompt));
        lock (_gate) Network.Generate(indices, length, temperature, topK, rng, i => emit(Vocabulary[i]), Vocabulary.UnkIndex);
    }
}
