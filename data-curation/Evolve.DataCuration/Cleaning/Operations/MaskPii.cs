using System.Buffers;
using System.Text.RegularExpressions;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Replaces personal data with placeholders: e-mail addresses, phone numbers, IPv4 addresses and
/// ID-like numbers (social security style, card-number style, labelled record numbers). E-mail
/// addresses are found by expanding around each '@' (a regex would try every word position); the
/// digit-led patterns share one source-generated regex whose start is a vectorised digit search
/// (labels such as "MRN:" are a lookbehind, so they do not widen that search).
/// </summary>
public sealed partial class MaskPii : ICleaningOperation
{
    public const string EmailToken = "<EMAIL>";
    public const string PhoneToken = "<PHONE>";
    public const string IpToken = "<IP>";
    public const string IdToken = "<ID>";

    public string Name => "mask-pii";

    public string Parameters => "email,phone,ipv4,id";

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var text = document.Text;
        var masked = MaskEmails(text);
        if (masked.AsSpan().ContainsAnyInRange('0', '9')) masked = MaskNumbers(masked);
        statistics.CountEdit(document, text, masked);
    }

    private static string MaskEmails(string text)
    {
        var at = text.IndexOf('@');
        if (at < 0) return text;
        System.Text.StringBuilder? builder = null;
        var copied = 0;
        while (at >= 0)
        {
            var start = at;
            while (start > copied && IsLocalChar(text[start - 1])) start--;
            var end = at + 1;
            var lastDot = -1;
            while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '-' or '.'))
            {
                if (text[end] == '.') lastDot = end;
                end++;
            }

            while (end > at + 1 && text[end - 1] == '.') end--; // sentence full stop after the address
            if (lastDot >= end - 1) lastDot = text.LastIndexOf('.', end - 1, end - at - 1);
            var tldLength = end - lastDot - 1;
            if (start < at && lastDot > at + 1 && tldLength >= 2 && text.AsSpan(lastDot + 1, tldLength).ContainsAnyExceptInRange('0', '9'))
            {
                builder ??= Cleaning.Text.PooledBuilder.Rent();
                builder.Append(text, copied, start - copied).Append(EmailToken);
                copied = end;
            }

            at = text.IndexOf('@', Math.Max(end, at + 1));
        }

        if (builder is null) return text;
        builder.Append(text, copied, text.Length - copied);
        return Cleaning.Text.PooledBuilder.ToStringAndReturn(builder);
    }

    /// <summary>
    /// The same replacements as NumberPattern().Replace(text, Mask), but the pattern is tried only where a match can
    /// start: numbers in prose ("in 2019,", "3 patients") rarely can, and trying the pattern at every digit was most of
    /// this operation's cost. Documents with a label (its lookbehind) or non-ASCII digits (\d matches them) take the plain path.
    /// </summary>
    private static string MaskNumbers(string text)
    {
        if (text.AsSpan().IndexOfAny(Labels) >= 0 || HasNonAsciiDigit(text)) return NumberPattern().Replace(text, Mask);
        System.Text.StringBuilder? builder = null;
        var copied = 0;
        var position = 0;
        while (NextPossibleStart(text, position) is var start and >= 0)
        {
            var match = AnchoredNumberPattern().Match(text, start);
            if (!match.Success)
            {
                position = start + 1;
                continue;
            }

            builder ??= Cleaning.Text.PooledBuilder.Rent();
            builder.Append(text, copied, match.Index - copied).Append(Mask(match));
            copied = position = match.Index + match.Length;
        }

        if (builder is null) return text;
        builder.Append(text, copied, text.Length - copied);
        return Cleaning.Text.PooledBuilder.ToStringAndReturn(builder);
    }

    /// <summary>
    /// The next position at or after <paramref name="from"/> where NumberPattern can match, given no label and only
    /// ASCII digits: '+' or '(' before a digit, or a digit run after a non-word character that has the shape every
    /// unlabelled alternative begins with: 1–3 digits then '.', or 3–4 digits then ' ' or '-' (3 also '.'), then a digit.
    /// Conservative: where unsure (a non-ASCII character before the run) it answers yes and lets the pattern decide.
    /// </summary>
    private static int NextPossibleStart(string text, int from)
    {
        var position = from;
        while (true)
        {
            var found = text.AsSpan(position).IndexOfAny(StartCharacters);
            if (found < 0) return -1;
            var p = position + found;
            var c = text[p];
            if (c is '+' or '(')
            {
                if (p + 1 < text.Length && char.IsAsciiDigit(text[p + 1])) return p;
                position = p + 1;
                continue;
            }

            var runEnd = p + 1;
            while (runEnd < text.Length && char.IsAsciiDigit(text[runEnd])) runEnd++;
            position = runEnd;
            if (p > 0 && (char.IsAsciiLetterOrDigit(text[p - 1]) || text[p - 1] == '_')) continue; // no \b before the run
            if (runEnd + 1 >= text.Length || !char.IsAsciiDigit(text[runEnd + 1])) continue;
            var run = runEnd - p;
            var possible = text[runEnd] switch
            {
                '.' => run <= 3,
                ' ' or '-' => run is 3 or 4,
                _ => false,
            };
            if (possible) return p;
        }
    }

    private static bool HasNonAsciiDigit(string text)
    {
        var span = text.AsSpan();
        while (true)
        {
            var at = span.IndexOfAnyExceptInRange('\0', '\u007F');
            if (at < 0) return false;
            if (char.IsDigit(span[at])) return true;
            span = span[(at + 1)..];
        }
    }

    private static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    private static string Mask(Match match)
    {
        if (match.Groups["id"].Success) return IdToken;
        if (match.Groups["ip"].Success) return IsIp(match.Value) ? IpToken : match.Value;
        return PhoneToken;
    }

    private static bool IsIp(string candidate)
    {
        foreach (var part in candidate.Split('.'))
        {
            if (!int.TryParse(part, out var octet) || octet > 255) return false;
        }

        return true;
    }

    private const string NumberPatternText =
        """
        (?<id>(?<=\b(?:MRN|SSN|Patient\ ID|Member\ ID|Account\ No\.?)[:#]?\ ?)\d[\d-]{5,14}\d\b
           |\b\d{3}-\d{2}-\d{4}\b
           |\b\d{4}[\ -]\d{4}[\ -]\d{4}[\ -]\d{4}\b)
        |(?<ip>\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b)
        |(?<phone>(?:\+\d{1,3}[\ .-]?)?(?:\(\d{3}\)\ ?|\b\d{3}[\ .-])\d{3}[\ .-]\d{4}\b)
        """;

    private const RegexOptions NumberPatternOptions = RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant;

    private static readonly SearchValues<char> StartCharacters = SearchValues.Create("0123456789+(");
    private static readonly SearchValues<string> Labels = SearchValues.Create(["MRN", "SSN", "Patient ID", "Member ID", "Account No"], StringComparison.Ordinal);

    [GeneratedRegex(NumberPatternText, NumberPatternOptions)]
    private static partial Regex NumberPattern();

    /// <summary>NumberPattern tried at one position only (\G: where Match's startat points; lookbehinds still see the text before).</summary>
    [GeneratedRegex(@"\G(?:" + NumberPatternText + ")", NumberPatternOptions)]
    private static partial Regex AnchoredNumberPattern();
}
