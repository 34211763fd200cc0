using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.RegularExpressions;
using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Replaces personal data with placeholders: e-mail addresses, phone numbers, IPv4 addresses and
/// ID-like numbers (social security style, card-number style, labelled record numbers). E-mail
/// addresses are found by expanding around each '@' (a regex would try every word position); the
/// digit-led patterns share one source-generated regex, tried only where a vectorised scan finds a
/// number of the right shape (or a label such as "MRN:", the pattern's lookbehind, before digits).
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
        var before = document.Length;
        var changed = false;
        if (MaskEmails(document) is { } withoutEmails)
        {
            document.Commit(withoutEmails);
            changed = true;
        }

        if (document.Span.ContainsAnyInRange('0', '9')) changed |= MaskNumbers(document);
        if (changed) statistics.CountEdit(before, document.Length);
    }

    /// <summary>The text with e-mail addresses masked, or null when it has none.</summary>
    private static TextBuilder? MaskEmails(CleaningDocument document)
    {
        var text = document.Span;
        var at = text.IndexOf('@');
        if (at < 0) return null;
        TextBuilder? builder = null;
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
            if (lastDot >= end - 1) lastDot = text[(at + 1)..end].LastIndexOf('.') is var dot and >= 0 ? at + 1 + dot : -1;
            var tldLength = end - lastDot - 1;
            if (start < at && lastDot > at + 1 && tldLength >= 2 && text.Slice(lastDot + 1, tldLength).ContainsAnyExceptInRange('0', '9'))
            {
                builder ??= document.Edit();
                builder.Append(text[copied..start]).Append(EmailToken);
                copied = end;
            }

            var from = Math.Max(end, at + 1);
            at = text[from..].IndexOf('@') is var next and >= 0 ? from + next : -1;
        }

        builder?.Append(text[copied..]);
        return builder;
    }

    /// <summary>
    /// The same replacements as NumberPattern().Replace(text, Mask), but the pattern is tried only where a match can
    /// start: numbers in prose ("in 2019,", "3 patients") rarely can, and trying the pattern at every digit was most of
    /// this operation's cost. Documents with non-ASCII digits (\d matches them) take the plain path.
    /// </summary>
    /// <returns>Whether the document changed.</returns>
    private static bool MaskNumbers(CleaningDocument document)
    {
        var text = document.Span;
        if (HasNonAsciiDigit(text))
        {
            var original = document.Text;
            document.Text = MaskNumbersWithPattern(original);
            return !ReferenceEquals(original, document.Text);
        }

        var labelled = text.IndexOfAny(Labels) >= 0;
        TextBuilder? builder = null;
        var copied = 0;
        var position = 0;
        while ((labelled ? NextPossibleStartAnyRun(text, position) : NextPossibleStart(text, position)) is var start and >= 0)
        {
            var matches = AnchoredNumberPattern().EnumerateMatches(text, start);
            if (!matches.MoveNext())
            {
                position = start + 1;
                continue;
            }

            var match = matches.Current;
            builder ??= document.Edit();
            builder.Append(text[copied..match.Index]);
            AppendMask(builder, text, match.Index, match.Length);
            copied = position = match.Index + match.Length;
        }

        if (builder is null) return false;
        builder.Append(text[copied..]);
        document.Commit(builder);
        return true;
    }

    /// <summary>
    /// What <see cref="Mask"/> puts for the match text[index..index+length). The alternatives are tried in order, so the
    /// first one that matches at the same place is the one that made the match.
    /// </summary>
    private static void AppendMask(TextBuilder builder, ReadOnlySpan<char> text, int index, int length)
    {
        if (AnchoredIdPattern().IsMatch(text, index)) builder.Append(IdToken);
        else if (!AnchoredIpPattern().IsMatch(text, index)) builder.Append(PhoneToken);
        else if (IsIp(text.Slice(index, length))) builder.Append(IpToken);
        else builder.Append(text.Slice(index, length));
    }

    /// <summary>The reference behaviour <see cref="MaskNumbers"/> reproduces (tests compare the two).</summary>
    internal static string MaskNumbersWithPattern(string text) => NumberPattern().Replace(text, Mask);

    /// <summary>
    /// The next position at or after <paramref name="from"/> where NumberPattern can match, given only ASCII digits and
    /// no label: '+' or '(' before a digit, or the start of a digit run that has the shape of an unlabelled alternative
    /// (<see cref="HasNumberShape"/>). Every such run is followed by ' ', '.' or '-' and a digit, so only those
    /// "digit, separator, digit" spots are looked at, found sixteen characters at a time: prose has far more numbers
    /// ("in 2019,", "3 patients") than such spots.
    /// </summary>
    private static int NextPossibleStart(ReadOnlySpan<char> text, int from)
    {
        var position = from;
        while (NextSeparatedDigitOrPrefix(text, position) is var k and >= 0)
        {
            if (text[k] is '+' or '(') return k;
            var p = k - 1;
            while (p > 0 && char.IsAsciiDigit(text[p - 1])) p--;
            position = k + 1;
            if (p < from) continue; // the run began before from: already tried
            if (IsRunStart(text, p) && HasNumberShape(text, p, k)) return p;
        }

        return -1;
    }

    /// <summary>
    /// As <see cref="NextPossibleStart"/>, for texts with a label: every digit run is looked at, since one right after
    /// a label may be an id of any shape (the lookbehind alternative).
    /// </summary>
    private static int NextPossibleStartAnyRun(ReadOnlySpan<char> text, int from)
    {
        var position = from;
        while (true)
        {
            var found = text[position..].IndexOfAny(StartCharacters);
            if (found < 0) return -1;
            var p = position + found;
            if (text[p] is '+' or '(')
            {
                if (p + 1 < text.Length && char.IsAsciiDigit(text[p + 1])) return p;
                position = p + 1;
                continue;
            }

            var runEnd = p + 1;
            while (runEnd < text.Length && char.IsAsciiDigit(text[runEnd])) runEnd++;
            position = runEnd;
            if (p > 0 && FollowsLabel(text[..p])) return p;
            if (runEnd + 1 < text.Length && IsRunStart(text, p) && HasNumberShape(text, p, runEnd)) return p;
        }
    }

    /// <summary>
    /// \b before the digit run at <paramref name="p"/>. Conservative: a non-ASCII character before it answers yes
    /// and the pattern decides.
    /// </summary>
    private static bool IsRunStart(ReadOnlySpan<char> text, int p) => p == 0 || !(char.IsAsciiLetterOrDigit(text[p - 1]) || text[p - 1] == '_');

    /// <summary>
    /// Whether the digit run text[p..separator) and what follows can begin an unlabelled alternative: two digit groups
    /// and their separators as an IP (1–3 '.' 1–3 '.'), a phone number (3 [ .-] 3 [ .-]), a social security number
    /// (3 '-' 2 '-') or a card number (4 [ -] 4 [ -]), then a digit. A necessary condition only; the pattern decides.
    /// </summary>
    private static bool HasNumberShape(ReadOnlySpan<char> text, int p, int separator)
    {
        var first = separator - p;
        var second = separator + 1;
        while (second < text.Length && char.IsAsciiDigit(text[second])) second++;
        var secondLength = second - separator - 1;
        if (secondLength == 0 || second + 1 >= text.Length || !char.IsAsciiDigit(text[second + 1])) return false;
        var (s1, s2) = (text[separator], text[second]);
        return (s1 == '.' && s2 == '.' && first <= 3 && secondLength <= 3) ||
            (first == 3 && secondLength == 3 && s1 is ' ' or '.' or '-' && s2 is ' ' or '.' or '-') ||
            (first == 3 && secondLength == 2 && s1 == '-' && s2 == '-') ||
            (first == 4 && secondLength == 4 && s1 is ' ' or '-' && s2 is ' ' or '-');
    }

    /// <summary>
    /// The next k at or after <paramref name="from"/> where a digit follows and text[k] is '+' or '(', or text[k] is
    /// ' ', '.' or '-' after a digit; -1 when there is none.
    /// </summary>
    private static int NextSeparatedDigitOrPrefix(ReadOnlySpan<char> span, int from)
    {
        var k = from;
        if (k == 0 && span.Length > 1 && span[0] is '+' or '(' && char.IsAsciiDigit(span[1])) return 0;
        k = Math.Max(k, 1);
        if (Vector256.IsHardwareAccelerated)
        {
            ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(span));
            // Loads at k-1, k and k+1 must stay inside the text.
            for (; k + 1 + Vector256<ushort>.Count <= span.Length; k += Vector256<ushort>.Count)
            {
                var before = Vector256.LoadUnsafe(ref chars, (nuint)(k - 1));
                var at = Vector256.LoadUnsafe(ref chars, (nuint)k);
                var after = Vector256.LoadUnsafe(ref chars, (nuint)(k + 1));
                var digitAfter = Vector256.LessThan(after - Vector256.Create((ushort)'0'), Vector256.Create((ushort)10));
                var digitBefore = Vector256.LessThan(before - Vector256.Create((ushort)'0'), Vector256.Create((ushort)10));
                var separator = Vector256.Equals(at, Vector256.Create((ushort)' ')) | Vector256.Equals(at, Vector256.Create((ushort)'.')) |
                    Vector256.Equals(at, Vector256.Create((ushort)'-'));
                var prefix = Vector256.Equals(at, Vector256.Create((ushort)'+')) | Vector256.Equals(at, Vector256.Create((ushort)'('));
                var hits = (digitAfter & ((separator & digitBefore) | prefix)).ExtractMostSignificantBits();
                if (hits != 0) return k + BitOperations.TrailingZeroCount(hits);
            }
        }

        for (; k + 1 < span.Length; k++)
        {
            if (!char.IsAsciiDigit(span[k + 1])) continue;
            var c = span[k];
            if (c is '+' or '(' || (c is ' ' or '.' or '-' && char.IsAsciiDigit(span[k - 1]))) return k;
        }

        return -1;
    }

    /// <summary>
    /// Whether <paramref name="before"/> ends like the id lookbehind: a label, then optionally ':' or '#', then optionally
    /// a space. The \b before the label is left to the pattern (this only has to let every real match through).
    /// </summary>
    private static bool FollowsLabel(ReadOnlySpan<char> before)
    {
        // No label ends in ' ', ':' or '#', so stripping the optional parts greedily is exact.
        if (before[^1] == ' ') before = before[..^1];
        if (!before.IsEmpty && before[^1] is ':' or '#') before = before[..^1];
        // Nearly every digit run follows a space after a word that ends in none of the labels' last letters.
        if (before.IsEmpty || before[^1] is not ('N' or 'D' or 'o' or '.')) return false;
        foreach (var label in LabelTexts)
        {
            if (before.EndsWith(label, StringComparison.Ordinal)) return true;
        }

        return false;
    }

    /// <summary>
    /// \d also matches non-ASCII decimal digits (Unicode Nd). In the BMP all of them lie in three ranges (a test pins
    /// them), which one vectorised pass looks for; the few characters found there are then checked one by one.
    /// </summary>
    private static bool HasNonAsciiDigit(ReadOnlySpan<char> span)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(span));
            for (; i + Vector256<ushort>.Count <= span.Length; i += Vector256<ushort>.Count)
            {
                var block = Vector256.LoadUnsafe(ref chars, (nuint)i);
                var inRanges = InRange(block, '\u0660', '\u1C59') | InRange(block, '\uA620', '\uABF9') | InRange(block, '\uFF10', '\uFF19');

                for (var bits = inRanges.ExtractMostSignificantBits(); bits != 0; bits &= bits - 1)
                {
                    if (char.IsDigit(span[i + BitOperations.TrailingZeroCount(bits)])) return true;
                }
            }
        }

        for (; i < span.Length; i++)
        {
            if (span[i] >= '\u0080' && char.IsDigit(span[i])) return true;
        }

        return false;
    }

    // The ranges HasNonAsciiDigit searches (spelled out there as constants).
    internal static readonly (char First, char Last)[] NonAsciiDigitRanges = [('\u0660', '\u1C59'), ('\uA620', '\uABF9'), ('\uFF10', '\uFF19')];

    private static Vector256<ushort> InRange(Vector256<ushort> block, char first, char last) =>
        Vector256.LessThanOrEqual(block - Vector256.Create((ushort)first), Vector256.Create((ushort)(last - first)));

    private static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    private static string Mask(Match match)
    {
        if (match.Groups["id"].Success) return IdToken;
        if (match.Groups["ip"].Success) return IsIp(match.ValueSpan) ? IpToken : match.Value;
        return PhoneToken;
    }

    private static bool IsIp(ReadOnlySpan<char> candidate)
    {
        foreach (var part in candidate.Split('.'))
        {
            if (!int.TryParse(candidate[part], out var octet) || octet > 255) return false;
        }

        return true;
    }

    // The alternatives of the pattern below, also used one by one to tell which of them made a match.
    private const string IdPatternText =
        """
        (?<=\b(?:MRN|SSN|Patient\ ID|Member\ ID|Account\ No\.?)[:#]?\ ?)\d[\d-]{5,14}\d\b
           |\b\d{3}-\d{2}-\d{4}\b
           |\b\d{4}[\ -]\d{4}[\ -]\d{4}[\ -]\d{4}\b
        """;

    private const string IpPatternText = @"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b";

    private const string PhonePatternText = @"(?:\+\d{1,3}[\ .-]?)?(?:\(\d{3}\)\ ?|\b\d{3}[\ .-])\d{3}[\ .-]\d{4}\b";

    private const string NumberPatternText = "(?<id>" + IdPatternText + ")|(?<ip>" + IpPatternText + ")|(?<phone>" + PhonePatternText + ")";

    private const RegexOptions NumberPatternOptions = RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant;

    private static readonly SearchValues<char> StartCharacters = SearchValues.Create("0123456789+(");
    // The labels of NumberPattern's lookbehind, spelled out ("Account No\.?" twice).
    private static readonly string[] LabelTexts = ["MRN", "SSN", "Patient ID", "Member ID", "Account No", "Account No."];
    private static readonly SearchValues<string> Labels = SearchValues.Create(LabelTexts, StringComparison.Ordinal);
    private static readonly SearchValues<char> PlusOrParen = SearchValues.Create("+(");

    [GeneratedRegex(NumberPatternText, NumberPatternOptions)]
    private static partial Regex NumberPattern();

    /// <summary>NumberPattern tried at one position only (\G: where Match's startat points; lookbehinds still see the text before).</summary>
    [GeneratedRegex(@"\G(?:" + NumberPatternText + ")", NumberPatternOptions)]
    private static partial Regex AnchoredNumberPattern();

    [GeneratedRegex(@"\G(?:" + IdPatternText + ")", NumberPatternOptions)]
    private static partial Regex AnchoredIdPattern();

    [GeneratedRegex(@"\G(?:" + IpPatternText + ")", NumberPatternOptions)]
    private static partial Regex AnchoredIpPattern();
}
