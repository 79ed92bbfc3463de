namespace Recur.Data.Files;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its action on the reporting thread, in order (the framework's
/// <see cref="Progress{T}"/> posts each report to the thread pool when there is no synchronisation context, so reports
/// may arrive late or out of order).
/// </summary>
public sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
