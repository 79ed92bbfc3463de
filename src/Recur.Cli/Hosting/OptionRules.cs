using System.CommandLine;

namespace Recur.Cli.Hosting;

/// <summary>Range checks on numeric options, reported as parse errors naming the option and the value given.</summary>
internal static class OptionRules
{
    /// <summary>Requires the option's value to be at least <paramref name="min"/>.</summary>
    public static Option<T> AtLeast<T>(this Option<T> option, T min) where T : struct, IComparable<T>
    {
        option.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<T>();
            if (v.CompareTo(min) < 0) r.AddError($"{option.Name} must be at least {min}, got {v}");
        });
        return option;
    }
}
