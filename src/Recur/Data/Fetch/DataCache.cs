namespace Recur.Data.Fetch;

/// <summary>
/// The local cache for datasets Recur may not redistribute: <c>$RECUR_CACHE</c> when set, else
/// <c>$XDG_CACHE_HOME/recur</c>, else <c>~/.cache/recur</c>. Nothing here is ever part of the repository.
/// </summary>
public static class DataCache
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string EnvironmentVariable = "RECUR_CACHE";

    /// <summary>The cache folder (not created).</summary>
    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrEmpty(env)) return env;
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "recur");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "recur");
        }
    }
}
