using System.Text.Json.Serialization;

namespace Recur.Tasks;

/// <summary>What a trained model does; the <c>kind</c> of its model folder and the word after <c>recur train</c>.</summary>
public enum TaskKind
{
    /// <summary>Character-level language model (many-to-many synchronized, next character): <c>charlm</c>.</summary>
    [JsonStringEnumMemberName("charlm")]
    CharLm,

    /// <summary>Text classification (many-to-one): <c>classify</c>.</summary>
    [JsonStringEnumMemberName("classify")]
    Classify,

    /// <summary>Sequence tagging (many-to-many synchronized, one tag per word): <c>tag</c>.</summary>
    [JsonStringEnumMemberName("tag")]
    Tag,

    /// <summary>Sequence to sequence (many-to-many delayed: read the source, then write the target): <c>seq2seq</c>.</summary>
    [JsonStringEnumMemberName("seq2seq")]
    Seq2Seq,
}

/// <summary>The command-line and file names of the task kinds.</summary>
public static class TaskKinds
{
    /// <summary>The name used in <c>model.json</c> and on the command line.</summary>
    public static string Name(this TaskKind kind) => kind switch
    {
        TaskKind.CharLm => "charlm",
        TaskKind.Classify => "classify",
        TaskKind.Tag => "tag",
        TaskKind.Seq2Seq => "seq2seq",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a task kind"),
    };

    /// <summary>Parses <see cref="Name"/>'s output; null when <paramref name="name"/> is not a kind.</summary>
    public static TaskKind? Parse(string name) =>
        Enum.GetValues<TaskKind>().Cast<TaskKind?>().FirstOrDefault(k => k!.Value.Name() == name);
}
