namespace Recur.Data.Files;

/// <summary>
/// A <see cref="TextReader"/> over a <see cref="Utf8LineReader"/>, so parsers that take a TextReader (CsvHelper)
/// get strict UTF-8 decoding with exact line numbers in errors. Line ends are normalised to "\n".
/// </summary>
internal sealed class Utf8LineTextReader(Utf8LineReader lines) : TextReader
{
    private char[] _line = new char[256];
    private int _pos, _len;     // unread part of _line (which includes its "\n")
    private bool _done;

    public override int Peek() => Ensure() ? _line[_pos] : -1;

    public override int Read() => Ensure() ? _line[_pos++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        int total = 0;
        while (total < buffer.Length && Ensure())
        {
            int n = Math.Min(buffer.Length - total, _len - _pos);
            _line.AsSpan(_pos, n).CopyTo(buffer[total..]);
            _pos += n;
            total += n;
        }
        return total;
    }

    public override string? ReadLine()
    {
        if (!Ensure()) return null;
        var s = new string(_line, _pos, _len - _pos - 1);
        _pos = _len;
        return s;
    }

    private bool Ensure()
    {
        if (_pos < _len) return true;
        if (_done || !lines.TryReadLine(out var line)) { _done = true; return false; }
        if (_line.Length < line.Length + 1) _line = new char[line.Length * 2 + 1];
        line.CopyTo(_line);
        _line[line.Length] = '\n';
        _pos = 0;
        _len = line.Length + 1;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) lines.Dispose();
        base.Dispose(disposing);
    }
}
