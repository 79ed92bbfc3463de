namespace Recur.Data.Fetch;

/// <summary>A dataset could not be fetched: the package tool is missing or failed. The message says which command, why, and what to do.</summary>
public sealed class FetchException(string message, Exception? inner = null) : Exception(message, inner);
