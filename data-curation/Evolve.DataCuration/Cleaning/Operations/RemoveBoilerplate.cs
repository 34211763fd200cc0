using System.Buffers;
using Evolve.DataCuration.Cleaning.Text;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Drops navigation, cookie-banner and sharing/subscription lines: short lines containing a known
/// boilerplate phrase, and menu lines ("Home | About | Contact"). Long lines are content whatever
/// words they contain, and protected technical lines (tables!) are never touched.
/// </summary>
public sealed class RemoveBoilerplate(int maxLineLength = 160) : ICleaningOperation
{
    internal static readonly string[] Phrases =
    [
        "we use cookies", "accept all cookies", "cookie policy", "cookie settings", "this site uses cookies", "by continuing to browse",
        "accept cookies", "manage preferences", "skip to main content", "skip to content", "toggle navigation", "main menu",
        "share on facebook", "share on twitter", "share this article", "tweet this", "subscribe to our newsletter", "sign up for our newsletter",
        "all rights reserved", "privacy policy", "terms of use", "terms of service", "back to top", "read more", "click here",
        "log in to comment", "leave a comment", "related posts", "you may also like", "advertisement", "follow us on", "powered by",
        "posted in", "previous post", "next post", "sign in", "create account", "javascript is disabled", "enable javascript",
    ];

    // ASCII case-insensitive, like OrdinalIgnoreCase on these ASCII phrases; several times faster than SearchValues<string> here.
    private static readonly AsciiTermCounter PhraseSearch = new([Phrases]);
    private static readonly SearchValues<char> MenuSeparators = SearchValues.Create("|»›·•");

    public string Name => "remove-boilerplate";

    public string Parameters => $"max-line={maxLineLength};phrases={Phrases.Length}";

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var rule = new Rule(maxLineLength);
        if (LineEditing.RemoveLines(document, ref rule) is { } kept) statistics.CountEdit(document, kept);
    }

    private readonly struct Rule(int maxLineLength) : ILineRule
    {
        public bool Drop(ReadOnlySpan<char> line, int lineStart, in LineContext context)
        {
            if (line.Length > maxLineLength) return false;
            var trimmed = line.Trim();
            if (trimmed.IsEmpty) return false;
            return (PhraseSearch.ContainsAny(trimmed) || IsMenu(trimmed)) && !context.IsProtected(line);
        }

        private static bool IsMenu(ReadOnlySpan<char> line)
        {
            if (line[0] == '|' || line.IndexOfAny(MenuSeparators) < 0) return false;
            var items = 0;
            foreach (var range in line.SplitAny(MenuSeparators))
            {
                var item = line[range].Trim();
                if (item.IsEmpty) continue;
                if (!char.IsUpper(item[0]) || item.Count(' ') > 2 || item.ContainsAnyInRange('0', '9')) return false;
                items++;
            }

            return items >= 3;
        }
    }
}
