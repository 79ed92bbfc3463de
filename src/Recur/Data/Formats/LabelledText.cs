namespace Recur.Data.Formats;

/// <summary>A text with its label, e.g. a sentence and its sentiment.</summary>
/// <param name="Text">The text (never empty).</param>
/// <param name="Label">The label as written in the file.</param>
/// <param name="Line">Line of the record in its file (for messages).</param>
public sealed record LabelledText(string Text, string Label, long Line);
