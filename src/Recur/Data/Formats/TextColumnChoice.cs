namespace Recur.Data.Formats;

/// <summary>The columns of a <see cref="RecordFile"/> that hold the text and the label, and why (for messages).</summary>
/// <param name="Text">Index of the text column.</param>
/// <param name="Label">Index of the label column, or null when none is used.</param>
/// <param name="TextReason">Why the text column was taken, e.g. <c>named "review"</c> or <c>the longest values (mean 87.2 characters over 200 records)</c>.</param>
/// <param name="LabelReason">Why the label column was taken, or null without one.</param>
public sealed record TextColumnChoice(int Text, int? Label, string TextReason, string? LabelReason);
