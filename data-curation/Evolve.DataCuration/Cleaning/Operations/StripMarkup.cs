using System.Buffers;
using System.Text;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Removes HTML remnants: tags of known HTML elements, comments, script/style bodies, and decodes
/// entities. Only real HTML element names count as tags, so "a &lt; b", "List&lt;T&gt;" and
/// "vector&lt;int&gt;" in technical text survive.
/// </summary>
public sealed class StripMarkup : ICleaningOperation
{
    private static readonly SearchValues<char> Triggers = SearchValues.Create("<&");

    private static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
        "header", "footer", "nav", "hr", "blockquote", "pre", "form", "title", "head", "body", "html", "tbody", "thead",
        "figure", "figcaption", "main", "aside", "dl", "dt", "dd", "iframe", "button", "input", "select", "option", "meta", "link",
    };

    private static readonly HashSet<string> InlineTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "span", "a", "b", "i", "u", "strong", "em", "font", "small", "sup", "sub", "code", "img", "label", "abbr", "td", "th",
        "center", "big", "mark", "cite", "time", "wbr",
    };

    private static readonly HashSet<string> SkippedBodies = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "noscript" };

    private static readonly Dictionary<string, string> Entities = new(StringComparer.Ordinal)
    {
        ["amp"] = "&", ["lt"] = "<", ["gt"] = ">", ["quot"] = "\"", ["apos"] = "'", ["nbsp"] = " ", ["ndash"] = "–",
        ["mdash"] = "—", ["hellip"] = "…", ["copy"] = "©", ["reg"] = "®", ["deg"] = "°", ["plusmn"] = "±", ["times"] = "×",
        ["micro"] = "µ", ["rsquo"] = "’", ["lsquo"] = "‘", ["ldquo"] = "“", ["rdquo"] = "”", ["le"] = "≤", ["ge"] = "≥",
    };

    // Span lookups: tag and entity names are looked up without allocating a string for each candidate.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> BlockTagNames = BlockTags.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> InlineTagNames = InlineTags.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> SkippedBodyNames = SkippedBodies.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> EntityNames = Entities.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Name => "strip-markup";

    public string Parameters => "tags+entities";

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var first = document.Span.IndexOfAny(Triggers);
        if (first < 0) return;
        if (Strip(document, first) is { } stripped) statistics.CountEdit(document, stripped);
    }

    /// <summary>The text without markup, or null when nothing was markup after all.</summary>
    private static Cleaning.Text.TextBuilder? Strip(CleaningDocument document, int start)
    {
        var text = document.Span;
        Cleaning.Text.TextBuilder? builder = null;
        var copied = 0;
        var i = start;
        while (i < text.Length)
        {
            var next = text[i..].IndexOfAny(Triggers);
            if (next < 0) break;
            i += next;
            string? replacement;
            int end;
            if (text[i] == '<' ? TryTag(text, i, out end, out replacement) : TryEntity(text, i, out end, out replacement))
            {
                builder ??= document.Edit();
                builder.Append(text[copied..i]).Append(replacement);
                copied = i = end;
            }
            else
            {
                i++;
            }
        }

        builder?.Append(text[copied..]);
        return builder;
    }

    private static bool TryTag(ReadOnlySpan<char> text, int at, out int end, out string replacement)
    {
        end = at;
        replacement = "";
        var span = text[at..];
        if (span.StartsWith("<!--", StringComparison.Ordinal))
        {
            var close = span.IndexOf("-->", StringComparison.Ordinal);
            if (close < 0) return false;
            end = at + close + 3;
            return true;
        }

        var p = 1;
        var closing = p < span.Length && span[p] == '/';
        if (closing) p++;
        var nameStart = p;
        while (p < span.Length && char.IsAsciiLetterOrDigit(span[p])) p++;
        if (p == nameStart || p >= span.Length) return false;
        var name = span[nameStart..p];
        var isBlock = BlockTagNames.Contains(name);
        var skipsBody = !closing && SkippedBodyNames.Contains(name);
        if (!isBlock && !skipsBody && !InlineTagNames.Contains(name)) return false;
        if (span[p] is not ('>' or ' ' or '/' or '\t' or '\n')) return false;

        var gt = span[p..].IndexOfAny('>', '<');
        if (gt < 0 || span[p + gt] != '>' || gt > 2000) return false;
        end = at + p + gt + 1;
        if (skipsBody)
        {
            var closeTag = IndexOfClosingTag(text, end, name);
            if (closeTag >= 0)
            {
                var closeEnd = text[closeTag..].IndexOf('>');
                end = closeEnd < 0 ? text.Length : closeTag + closeEnd + 1;
            }
        }

        replacement = isBlock ? "\n" : "";
        return true;
    }

    /// <summary>Where "&lt;/" + <paramref name="name"/> (case-insensitive) first occurs at or after <paramref name="from"/>; -1 if nowhere.</summary>
    private static int IndexOfClosingTag(ReadOnlySpan<char> text, int from, ReadOnlySpan<char> name)
    {
        var position = from;
        while (true)
        {
            var found = text[position..].IndexOf("</", StringComparison.Ordinal);
            if (found < 0) return -1;
            var at = position + found;
            if (text[(at + 2)..].StartsWith(name, StringComparison.OrdinalIgnoreCase)) return at;
            position = at + 1;
        }
    }

    private static bool TryEntity(ReadOnlySpan<char> text, int at, out int end, out string? replacement)
    {
        end = at;
        replacement = null;
        var span = text.Slice(at + 1, Math.Min(10, text.Length - at - 1));
        var semicolon = span.IndexOf(';');
        if (semicolon <= 0) return false;
        var body = span[..semicolon];
        if (body[0] == '#')
        {
            var hex = body.Length > 1 && (body[1] == 'x' || body[1] == 'X');
            var digits = body[(hex ? 2 : 1)..];
            if (!int.TryParse(digits, hex ? System.Globalization.NumberStyles.HexNumber : System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var code) || !System.Text.Rune.IsValid(code))
            {
                return false;
            }

            replacement = new System.Text.Rune(code).ToString();
        }
        else if (!EntityNames.TryGetValue(body, out replacement))
        {
            return false;
        }

        end = at + 1 + semicolon + 1;
        return true;
    }
}
