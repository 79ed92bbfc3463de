using System.Globalization;

namespace Recur.Cli.Output;

/// <summary>Small number formats shared by the commands' output.</summary>
internal static class Formats
{
    /// <summary>"12.3%" (one decimal; "0%" of nothing).</summary>
    public static string Percent(long part, long whole) =>
        whole == 0 ? "0%" : (100.0 * part / whole).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
