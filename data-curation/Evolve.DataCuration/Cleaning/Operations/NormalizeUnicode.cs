using System.Buffers;
using System.Text;

namespace Evolve.DataCuration.Cleaning.Operations;

public enum UnicodeForm
{
    /// <summary>Canonical composition: "e" + combining acute becomes "é".</summary>
    Nfc,

    /// <summary>Also folds compatibility characters: ligatures, full-width forms, exotic spaces.</summary>
    Nfkc,
}

/// <summary>
/// Unicode normalisation that works the same everywhere: the runtime's string.Normalize is a no-op
/// under invariant globalization (how Evolve runs), so the common compositions and compatibility
/// foldings are done here from tables. Also drops invisible characters (zero-width, BOM, soft hyphen,
/// stray control characters).
/// </summary>
public sealed class NormalizeUnicode(UnicodeForm form = UnicodeForm.Nfkc) : ICleaningOperation
{
    private static readonly SearchValues<char> Suspects = BuildSuspects();
    private static readonly SearchValues<char> PlainAscii =
        SearchValues.Create("\t\n\r" + string.Concat(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c)));
    private static readonly Dictionary<(char, char), char> Compositions = BuildCompositions();
    private static readonly Dictionary<char, string> Compatibility = new()
    {
        ['\u00A0'] = " ", ['\u2000'] = " ", ['\u2001'] = " ", ['\u2002'] = " ", ['\u2003'] = " ", ['\u2004'] = " ",
        ['\u2005'] = " ", ['\u2006'] = " ", ['\u2007'] = " ", ['\u2008'] = " ", ['\u2009'] = " ", ['\u200A'] = " ",
        ['\u202F'] = " ", ['\u205F'] = " ", ['\u3000'] = " ", ['\uFB00'] = "ff", ['\uFB01'] = "fi", ['\uFB02'] = "fl",
        ['\uFB03'] = "ffi", ['\uFB04'] = "ffl", ['\u2026'] = "...", ['\u2024'] = ".", ['\u2122'] = "TM", ['\u00B5'] = "μ",
    };

    public string Name => "normalize-unicode";

    public string Parameters => form.ToString().ToLowerInvariant();

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var first = FindSuspect(document.Span);
        if (first < 0) return;
        if (Normalize(document, first) is { } normalized) statistics.CountEdit(document, normalized);
    }

    /// <summary>Printable ASCII and line breaks are skipped vectorised (none is a suspect); only the other characters are looked up.</summary>
    private static int FindSuspect(ReadOnlySpan<char> text)
    {
        var span = text;
        var offset = 0;
        while (true)
        {
            var at = span.IndexOfAnyExcept(PlainAscii);
            if (at < 0) return -1;
            if (Suspects.Contains(span[at])) return offset + at;
            offset += at + 1;
            span = span[(at + 1)..];
        }
    }

    /// <summary>The normalised text, or null when it came out the same.</summary>
    private Cleaning.Text.TextBuilder? Normalize(CleaningDocument document, int start)
    {
        var text = document.Span;
        var builder = document.Edit();
        builder.Append(text[..start]);
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (IsInvisible(c)) continue;
            if (c is >= '\u0300' and <= '\u036F' && builder.Length > 0 && Compositions.TryGetValue((builder[^1], c), out var composed))
            {
                builder[^1] = composed;
                continue;
            }

            if (form == UnicodeForm.Nfkc)
            {
                if (c is >= '\uFF01' and <= '\uFF5E')
                {
                    builder.Append((char)(c - 0xFEE0)); // full-width ASCII
                    continue;
                }

                if (Compatibility.TryGetValue(c, out var folded))
                {
                    builder.Append(folded);
                    continue;
                }
            }

            builder.Append(c);
        }

        return builder.AsSpan().SequenceEqual(text) ? null : builder;
    }

    private static bool IsInvisible(char c) =>
        c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD' ||
        (c < ' ' && c is not ('\n' or '\t' or '\r')) || c is >= '\u007F' and <= '\u009F';

    private static SearchValues<char> BuildSuspects()
    {
        var chars = new List<char>();
        for (var c = '\0'; c < ' '; c++) if (c is not ('\n' or '\t' or '\r')) chars.Add(c);
        for (var c = '\u007F'; c <= '\u009F'; c++) chars.Add(c);
        for (var c = '\u0300'; c <= '\u036F'; c++) chars.Add(c);
        for (var c = '\uFF01'; c <= '\uFF5E'; c++) chars.Add(c);
        chars.AddRange("\u200B\u200C\u200D\u2060\uFEFF\u00AD\u00A0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000\uFB00\uFB01\uFB02\uFB03\uFB04\u2026\u2024\u2122\u00B5");
        return SearchValues.Create(chars.ToArray());
    }

    private static Dictionary<(char, char), char> BuildCompositions()
    {
        // Base letter + combining mark → precomposed letter, for the Latin letters web text uses.
        var table = new Dictionary<(char, char), char>();
        void Add(char mark, string bases, string composed)
        {
            for (var i = 0; i < bases.Length; i++) table[(bases[i], mark)] = composed[i];
        }

        Add('\u0301', "aeiouyAEIOUYcnsz", "áéíóúýÁÉÍÓÚÝćńśź");
        Add('\u0300', "aeiouAEIOU", "àèìòùÀÈÌÒÙ");
        Add('\u0302', "aeiouAEIOU", "âêîôûÂÊÎÔÛ");
        Add('\u0308', "aeiouyAEIOU", "äëïöüÿÄËÏÖÜ");
        Add('\u0303', "anoANO", "ãñõÃÑÕ");
        Add('\u0327', "cCsS", "çÇşŞ");
        Add('\u030A', "aA", "åÅ");
        Add('\u030C', "cszCSZ", "čšžČŠŽ");
        return table;
    }
}
