using System.CommandLine;
using Recur.Models;

namespace Recur.Cli.Hosting;

/// <summary>
/// An option whose value is one name of an enum, spelt as model files spell it (<see cref="ConfigJson.Name{T}"/>:
/// "lstm", "attention", "jsonl"); a wrong value is one parse error naming the option and listing the names.
/// </summary>
internal sealed class Choice<T> where T : struct, Enum
{
    public Choice(string name, string description, string? defaultName = null)
    {
        var names = ConfigJson.Names<T>();
        Option = new Option<string?>(name)
        {
            Description = description + (defaultName is null ? "" : $" [default: {defaultName}]"),
            HelpName = string.Join("|", names),
        };
        Option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } v && ConfigJson.Parse<T>(v) is null)
                r.AddError($"{name} must be one of {string.Join(", ", names)}; got '{v}'");
        });
    }

    /// <summary>The option.</summary>
    public Option<string?> Option { get; }

    /// <summary>The value given, when it was (and passes the filter).</summary>
    public bool TryGet(GivenOptions given, out T value)
    {
        value = default;
        if (!given.TryGet(Option, out string name)) return false;
        value = ConfigJson.Parse<T>(name)!.Value;
        return true;
    }
}
