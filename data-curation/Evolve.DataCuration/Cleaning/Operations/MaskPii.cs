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
        if (masked.AsSpan().ContainsAnyInRange('0', '9')) masked = NumberPattern().Replace(masked, Mask);
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

    [GeneratedRegex(
        """
        (?<id>(?<=\b(?:MRN|SSN|Patient\ ID|Member\ ID|Account\ No\.?)[:#]?\ ?)\d[\d-]{5,14}\d\b
           |\b\d{3}-\d{2}-\d{4}\b
           |\b\d{4}[\ -]\d{4}[\ -]\d{4}[\ -]\d{4}\b)
        |(?<ip>\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b)
        |(?<phone>(?:\+\d{1,3}[\ .-]?)?(?:\(\d{3}\)\ ?|\b\d{3}[\ .-])\d{3}[\ .-]\d{4}\b)
        """,
        RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
