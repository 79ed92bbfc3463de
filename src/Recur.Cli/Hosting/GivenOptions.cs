using System.CommandLine;

namespace Recur.Cli.Hosting;

/// <summary>
/// The options the user actually typed (an option without a default value is null unless given), optionally only
/// those a filter lets through: the training commands apply given options over a settings record, and checking a
/// resumed run applies them one at a time to see which would change it.
/// </summary>
internal sealed class GivenOptions(ParseResult parse, Func<Option, bool>? filter = null)
{
    /// <summary>The parse result.</summary>
    public ParseResult Parse { get; } = parse;

    /// <summary>The value of a value-typed option when it was given (and passes the filter).</summary>
    public bool TryGet<T>(Option<T?> option, out T value) where T : struct
    {
        var v = Use(option) ? Parse.GetValue(option) : null;
        value = v.GetValueOrDefault();
        return v.HasValue;
    }

    /// <summary>The value of a string option when it was given (and passes the filter).</summary>
    public bool TryGet(Option<string?> option, out string value)
    {
        var v = Use(option) ? Parse.GetValue(option) : null;
        value = v ?? "";
        return v is not null;
    }

    /// <summary>Whether a flag was given (and passes the filter).</summary>
    public bool Flag(Option<bool?> option) => Use(option) && Parse.GetValue(option) == true;

    /// <summary>Whether a flag was given explicitly, true or false (and passes the filter).</summary>
    public bool TryFlag(Option<bool?> option, out bool value) => TryGet(option, out value);

    /// <summary>The options of <paramref name="command"/> that were typed.</summary>
    public static IEnumerable<Option> Typed(ParseResult parse, Command command) =>
        command.Options.Where(o => parse.GetResult(o) is { Implicit: false });

    private bool Use(Option option) => filter is null || filter(option);
}
