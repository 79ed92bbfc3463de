using Recur.Cli.Hosting;

namespace Recur.Cli.Inputs;

/// <summary>
/// The input of <c>recur predict --data FILE|-</c> as a file: stdin ("-") and other streams that cannot seek are copied
/// to a temporary file first (in blocks, so memory stays bounded), because detecting the format reads the start of the
/// input twice.
/// </summary>
internal sealed class PredictInput : IDisposable
{
    private readonly string? _temp;

    private PredictInput(string path, string? temp) => (Path, _temp) = (path, temp);

    /// <summary>The file to read.</summary>
    public string Path { get; }

    /// <summary>The file named by --data, or stdin (or a pipe such as bash's &lt;(...)) as a temporary file.</summary>
    public static PredictInput Open(string data)
    {
        if (data == "-")
        {
            using var stdin = Console.OpenStandardInput();
            return Copy(stdin);
        }
        if (Directory.Exists(data)) throw new UserError($"--data {data} is a folder; expected a file");
        if (!File.Exists(data)) throw new UserError($"--data: no such file: {data}");
        using var stream = File.OpenRead(data);
        return stream.CanSeek ? new PredictInput(data, null) : Copy(stream);
    }

    private static PredictInput Copy(Stream input)
    {
        string temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"recur-stdin-{Guid.NewGuid():N}");
        using (var file = File.Create(temp)) input.CopyTo(file, 1 << 16);
        return new PredictInput(temp, temp);
    }

    public void Dispose()
    {
        if (_temp is not null) File.Delete(_temp);
    }
}
