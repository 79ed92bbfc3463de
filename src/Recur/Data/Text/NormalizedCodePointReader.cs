using System.Text;
using Recur.Data.Files;

namespace Recur.Data.Text;

/// <summary>
/// Reads a text stream as code points after line-end and Unicode normalisation, in bounded chunks, without ever
/// holding the whole text: the same code points as normalising the whole text at once. The text is cut only before an
/// ASCII character (other than the "\n" of a "\r\n"): no canonical composition has an ASCII second part and ASCII
/// characters have combining class 0, so normalisation never reaches across such a cut. A run of more than
/// <see cref="MaxSegment"/> code points with no ASCII character is cut where it stands.
/// </summary>
public sealed class NormalizedCodePointReader : IDisposable
{
    /// <summary>The longest run normalised as one piece.</summary>
    public const int MaxSegment = 1 << 22;

    private const int Target = 1 << 16; // code points normalised at a time, in the usual case

    private readonly CodePointReader _reader;
    private readonly TextNormalization _normalization;
    private readonly bool _lineEndings;
    private readonly int[] _read = new int[1 << 14];
    private int[] _pending = new int[Target * 2];
    private int _pendingCount;
    private bool _ended;
    private int _last = -1; // the last code point handed out, for the final line end
    private readonly StringBuilder _segment = new();

    /// <summary>Reads <paramref name="stream"/> (UTF-8, already decompressed; a byte order mark is skipped).</summary>
    /// <param name="stream">The text.</param>
    /// <param name="source">The file name messages give.</param>
    /// <param name="normalization">Unicode normalisation.</param>
    /// <param name="normalizeLineEndings">Read "\r\n" and "\r" as "\n", and end a non-empty text with "\n" (as <see cref="DataFile.ReadAllText"/> does).</param>
    public NormalizedCodePointReader(Stream stream, string source, TextNormalization normalization, bool normalizeLineEndings)
    {
        _reader = new CodePointReader(stream, source);
        _normalization = normalization;
        _lineEndings = normalizeLineEndings;
    }

    /// <summary>The next normalised code points (a reused buffer, valid until the next call); empty at the end.</summary>
    /// <exception cref="DataFormatException">The input is not valid UTF-8.</exception>
    public ReadOnlySpan<int> Next()
    {
        while (true)
        {
            int want = Target, cut;
            while (true)
            {
                Fill(want);
                if (_pendingCount == 0)
                {
                    if (_lineEndings && _last >= 0 && _last != '\n') { _last = '\n'; _pending[0] = '\n'; return _pending.AsSpan(0, 1); }
                    return [];
                }
                cut = _ended ? _pendingCount : SafeCut();
                if (cut > 0) break;
                want = _pendingCount + Target; // no safe place yet: read more (SafeCut gives up at MaxSegment)
            }
            var normalized = Normalize(_pending.AsSpan(0, cut));
            _pending.AsSpan(cut, _pendingCount - cut).CopyTo(_pending);
            _pendingCount -= cut;
            if (normalized.Length == 0) continue;
            _last = normalized[^1];
            return normalized;
        }
    }

    /// <summary>Reads until <paramref name="want"/> code points are pending or the input ends.</summary>
    private void Fill(int want)
    {
        while (!_ended && _pendingCount < want)
        {
            int n = _reader.Read(_read);
            if (n == 0) { _ended = true; break; }
            if (_pendingCount + n > _pending.Length) Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingCount + n));
            _read.AsSpan(0, n).CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += n;
        }
    }

    /// <summary>The last place in the pending code points before which the text may be cut (0 = none yet).</summary>
    private int SafeCut()
    {
        for (int k = _pendingCount - 1; k > 0; k--)
            if (_pending[k] < 0x80 && !(_pending[k] == '\n' && _pending[k - 1] == '\r')) return k;
        return _pendingCount >= MaxSegment ? _pendingCount : 0;
    }

    private int[] _out = new int[Target * 2];

    private ReadOnlySpan<int> Normalize(ReadOnlySpan<int> codePoints)
    {
        _segment.Clear();
        Span<char> utf16 = stackalloc char[2];
        foreach (int c in codePoints) _segment.Append(utf16[..new Rune(c).EncodeToUtf16(utf16)]);
        string text = _segment.ToString();
        if (_lineEndings && text.Contains('\r')) text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        text = UnicodeNormalization.Apply(text, _normalization);
        if (_out.Length < text.Length) _out = new int[text.Length];
        int n = 0;
        foreach (var rune in text.EnumerateRunes()) _out[n++] = rune.Value;
        return _out.AsSpan(0, n);
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();
}
