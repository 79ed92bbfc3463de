using System.CommandLine;
using Recur.Cli.Tasks;

namespace Recur.Cli.Hosting;

/// <summary>The options of <c>recur eval</c> and <c>recur predict</c> for sequence-to-sequence models: columns and decoding.</summary>
internal sealed class DecodeOptions
{
    public DecodeOptions(bool predict)
    {
        Source = new Option<string?>("--source") { Description = "seq2seq: the source column of a CSV/TSV/JSON-lines file (default: the training file's, else source)", HelpName = "NAME" };
        Target = new Option<string?>("--target") { Description = "seq2seq: the target column (default: the training file's, else target)", HelpName = "NAME" };
        Beam = new Option<int>("--beam") { Description = "seq2seq: beam width K (1 = greedy)", DefaultValueFactory = _ => 5, HelpName = "K" }.AtLeast(1);
        LengthPenalty = new Option<double>("--length-penalty") { Description = "seq2seq: α of GNMT's length normalisation, score = log P / ((5 + length) / 6)^α (0 = none)", DefaultValueFactory = _ => 0.6, HelpName = "A" }.AtLeast(0);
        MaxLength = new Option<int?>("--max-length") { Description = "seq2seq: most tokens written per output [default: twice the longest training target + 10]", HelpName = "N" };
        NBest = new Option<int>("--nbest") { Description = "seq2seq: outputs listed per source with their scores (at most --beam)", DefaultValueFactory = _ => 1, HelpName = "N" }.AtLeast(1);
        Attention = new Option<bool>("--attention") { Description = "seq2seq: write each output step's attention weights over the source tokens" };
        TooLong = new Option<string>("--too-long") { Description = "seq2seq: a source longer than the longest of training is cut to that length (truncate, with a warning) or stops the run (refuse)", DefaultValueFactory = _ => "truncate", HelpName = "truncate|refuse" };
        TooLong.AcceptOnlyFromAmong("truncate", "refuse");
        All = predict ? [Source, Beam, LengthPenalty, MaxLength, NBest, Attention, TooLong] : [Source, Target, Beam, LengthPenalty, MaxLength, TooLong];
    }

    public Option<string?> Source { get; }
    public Option<string?> Target { get; }
    public Option<int> Beam { get; }
    public Option<double> LengthPenalty { get; }
    public Option<int?> MaxLength { get; }
    public Option<int> NBest { get; }
    public Option<bool> Attention { get; }
    public Option<string> TooLong { get; }

    /// <summary>The options in help order.</summary>
    public Option[] All { get; }

    /// <summary>The values given.</summary>
    public DecodeRequest Read(ParseResult p)
    {
        var r = new DecodeRequest(p.GetValue(Source), p.GetValue(Target), p.GetValue(Beam), p.GetValue(LengthPenalty), p.GetValue(MaxLength),
            p.GetValue(NBest), p.GetValue(Attention), p.GetValue(TooLong)!);
        if (r.MaxLength is < 1) throw new UserError($"--max-length must be at least 1, got {r.MaxLength}");
        if (r.NBest > r.Beam) throw new UserError($"--nbest {r.NBest} is more than --beam {r.Beam}: a beam of K keeps at most K outputs");
        return r;
    }
}
