using System.Text;

namespace Recur.Data.Text;

/// <summary>
/// Unicode Normalization Form C (canonical decomposition, then canonical composition; UAX #15), so that text typed
/// or exported in different ways — "é" as one code point U+00E9 or as "e" followed by the combining acute U+0301,
/// "Å" as U+00C5, U+212B (the Ångström sign) or "A" + U+030A — becomes the same string and so the same tokens.
/// <para>
/// Implemented here in managed code rather than with <see cref="string.Normalize(NormalizationForm)"/>: Recur builds
/// with InvariantGlobalization, under which .NET's normalization leaves non-ASCII text as it is (it needs ICU), and
/// a managed table gives the same result on every machine. The tables are generated from the Unicode Character
/// Database (tools/gen_unicode_normalization.py; the version is <see cref="UnicodeVersion"/>).
/// </para>
/// </summary>
public static class UnicodeNormalization
{
    // Hangul syllables: S = SBase + (L - LBase) * NCount + (V - VBase) * TCount + (T - TBase), decomposed and composed
    // by arithmetic (Unicode section 3.12).
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    // The first code point that is not "NFC_Quick_Check = Yes" (nor has a non-zero combining class): text entirely
    // below it is already in NFC. The first with a canonical decomposition is U+00C0.
    private const int FirstCandidate = 0x0300, FirstDecomposable = 0x00C0;

    private static readonly Dictionary<int, (int First, int Second)> Decomposition = [];
    private static readonly Dictionary<long, int> Composition = [];
    private static readonly Dictionary<int, byte> CombiningClass = [];
    private static readonly HashSet<int> NotQuickYes = [];

    static UnicodeNormalization()
    {
        var table = UnicodeNormalizationData.Decompositions;
        for (int i = 0; i < table.Length; i += 4)
        {
            int cp = table[i], first = table[i + 1], second = table[i + 2];
            Decomposition[cp] = (first, second);
            if (table[i + 3] == 1)
            {
                Composition[Pair(first, second)] = cp;
                NotQuickYes.Add(second); // may compose with what precedes it ("Maybe")
            }
            else NotQuickYes.Add(cp); // never survives NFC ("No": singletons, exclusions)
        }
        foreach (int packed in UnicodeNormalizationData.CombiningClasses)
        {
            CombiningClass[packed >> 8] = (byte)packed;
            NotQuickYes.Add(packed >> 8); // may need reordering
        }
        for (int v = VBase; v < VBase + VCount; v++) NotQuickYes.Add(v);        // L + V compose
        for (int t = TBase + 1; t < TBase + TCount; t++) NotQuickYes.Add(t);    // LV + T compose
    }

    /// <summary><paramref name="text"/> normalised as <paramref name="form"/> says (the same instance when nothing changes).</summary>
    public static string Apply(string text, TextNormalization form) => form == TextNormalization.Nfc ? ToNfc(text) : text;

    /// <summary>Unicode version of the normalization tables.</summary>
    public static string UnicodeVersion => UnicodeNormalizationData.UnicodeVersion;

    /// <summary>
    /// <paramref name="text"/> in NFC. Returns the same string instance when it is already normalised (the common
    /// case, decided by a scan that allocates nothing). Unpaired surrogates are kept as they are.
    /// </summary>
    public static string ToNfc(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsQuickNfc(text)) return text;
        string result = Compose(Decompose(text));
        return result == text ? text : result;
    }

    /// <summary>Whether <paramref name="text"/> is in NFC.</summary>
    public static bool IsNfc(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return IsQuickNfc(text) || Compose(Decompose(text)) == text;
    }

    // True when no character can change under NFC (every one has NFC_Quick_Check = Yes and combining class 0).
    private static bool IsQuickNfc(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < FirstCandidate) continue;
            int cp = c;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) cp = char.ConvertToUtf32(c, text[++i]);
            if (NotQuickYes.Contains(cp)) return false;
        }
        return true;
    }

    // Full canonical decomposition in canonical order, as code points (surrogates that do not pair are kept as is).
    private static List<int> Decompose(string text)
    {
        var result = new List<int>(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) cp = char.ConvertToUtf32(text[i], text[++i]);
            AppendDecomposition(cp, result);
        }
        // Canonical ordering: a stable sort of each run of non-starters by combining class (runs are short).
        for (int i = 1; i < result.Count; i++)
        {
            int cc = Class(result[i]);
            if (cc == 0) continue;
            int cp = result[i], j = i;
            while (j > 0 && Class(result[j - 1]) > cc)
            {
                result[j] = result[j - 1];
                j--;
            }
            result[j] = cp;
        }
        return result;
    }

    private static void AppendDecomposition(int cp, List<int> result)
    {
        int s = cp - SBase;
        if ((uint)s < SCount)
        {
            result.Add(LBase + s / NCount);
            result.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0) result.Add(TBase + s % TCount);
            return;
        }
        if (cp >= FirstDecomposable && Decomposition.TryGetValue(cp, out var parts))
        {
            AppendDecomposition(parts.First, result);
            if (parts.Second != 0) AppendDecomposition(parts.Second, result);
            return;
        }
        result.Add(cp);
    }

    // Canonical composition (UAX #15 section 3.11 / Unicode 3.11): each character is combined with the last starter
    // when nothing between them blocks it (a starter, or a character of the same or a higher class).
    private static string Compose(List<int> cps)
    {
        if (cps.Count == 0) return "";
        int starter = 0, kept = 1;
        int lastClass = Class(cps[0]) == 0 ? 0 : 256; // a leading non-starter has no starter to combine with
        for (int i = 1; i < cps.Count; i++)
        {
            int cp = cps[i], cc = Class(cp);
            bool unblocked = lastClass < cc || lastClass == 0;
            if (unblocked && TryCompose(cps[starter], cp, out int composite))
            {
                cps[starter] = composite;
                continue;
            }
            if (cc == 0) starter = kept;
            lastClass = cc;
            cps[kept++] = cp;
        }
        var builder = new StringBuilder(kept);
        for (int i = 0; i < kept; i++)
        {
            int cp = cps[i];
            if (cp < 0x10000) builder.Append((char)cp); // BMP, or an unpaired surrogate kept from the input
            else builder.Append(char.ConvertFromUtf32(cp));
        }
        return builder.ToString();
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        int l = first - LBase, v = second - VBase;
        if ((uint)l < LCount && (uint)v < VCount)
        {
            composite = SBase + (l * VCount + v) * TCount;
            return true;
        }
        int s = first - SBase, t = second - TBase;
        if ((uint)s < SCount && s % TCount == 0 && t > 0 && t < TCount)
        {
            composite = first + t;
            return true;
        }
        return Composition.TryGetValue(Pair(first, second), out composite);
    }

    private static int Class(int cp) => cp < FirstCandidate ? 0 : CombiningClass.GetValueOrDefault(cp);

    private static long Pair(int first, int second) => (long)first << 21 | (uint)second;
}
