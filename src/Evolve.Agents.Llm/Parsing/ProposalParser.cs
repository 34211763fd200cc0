using System.Text.RegularExpressions;

namespace Evolve.Agents.Llm;

/// <summary>What a researcher's reply says: the idea and either a whole program or SEARCH/REPLACE blocks.</summary>
public sealed record ParsedProposal(string Name, string Motivation, string? Program, IReadOnlyList<SearchReplaceBlock> Blocks)
{
    public ProposalMode Mode => Blocks.Count > 0 ? ProposalMode.Diff : ProposalMode.Full;
}

/// <summary>
/// Reads researcher and debugger replies. Accepts the usual deviations — tags in any case, "Name:"/"Motivation:"
/// lines instead of tags, code fences inside or instead of &lt;program&gt;, a missing closing tag, a diff when a full
/// program was asked for — and rejects everything else with a reason saying what was expected. A program that looks
/// cut off is rejected (see <see cref="ProgramCompleteness"/>), never truncated.
/// </summary>
public static partial class ProposalParser
{
    public const string FullFormat =
        "<name>short name of the idea</name>\n<motivation>what you changed and why</motivation>\n<program>\nthe complete C# program\n</program>";

    public const string DiffFormat =
        "<name>short name of the idea</name>\n<motivation>what you changed and why</motivation>\n<diff>\n<<<<<<< SEARCH\nlines copied exactly from the program\n=======\nthe lines that replace them\n>>>>>>> REPLACE\n</diff>";

    private const int MaxNameLength = 80;

    public static ReplyParse<ParsedProposal> Parse(string reply, bool cutOff)
    {
        if (string.IsNullOrWhiteSpace(reply)) return ReplyParse<ParsedProposal>.Reject("the reply is empty");
        var motivation = Tagged(reply, "motivation") ?? Labelled(reply, "motivation");
        if (string.IsNullOrWhiteSpace(motivation))
            return ReplyParse<ParsedProposal>.Reject("the reply has no <motivation>: every proposal must say what it changes and why");
        var name = Tagged(reply, "name") ?? Labelled(reply, "name") ?? NameFrom(motivation);
        name = OneLine(name, MaxNameLength);

        var blocks = Blocks(reply, out var unterminated);
        if (unterminated)
            return ReplyParse<ParsedProposal>.Reject(cutOff
                ? ProgramCompleteness.Problem("", replyCutOff: true)!
                : "a SEARCH/REPLACE block is not closed with '>>>>>>> REPLACE'; the reply looks cut off, so it is rejected");
        if (blocks.Count > 0)
        {
            if (cutOff) return ReplyParse<ParsedProposal>.Reject(ProgramCompleteness.Problem("", replyCutOff: true)!);
            return ReplyParse<ParsedProposal>.Accept(new ParsedProposal(name, motivation.Trim(), null, blocks));
        }

        var program = ProgramOf(reply);
        if (program is null)
            return ReplyParse<ParsedProposal>.Reject(
                "the reply holds neither a <program> nor SEARCH/REPLACE blocks; answer in the format:\n" + FullFormat);
        if (ProgramCompleteness.Problem(program, cutOff) is { } problem) return ReplyParse<ParsedProposal>.Reject(problem);
        return ReplyParse<ParsedProposal>.Accept(new ParsedProposal(name, motivation.Trim(), program, []));
    }

    /// <summary>A reply that should hold only a program (the debugger's): the program, or why there is none.</summary>
    public static ReplyParse<string> ParseProgram(string reply, bool cutOff)
    {
        if (string.IsNullOrWhiteSpace(reply)) return ReplyParse<string>.Reject("the reply is empty");
        var program = ProgramOf(reply);
        if (program is null)
            return ReplyParse<string>.Reject("the reply holds no program; answer with the whole repaired program inside <program>…</program>");
        return ProgramCompleteness.Problem(program, cutOff) is { } problem ? ReplyParse<string>.Reject(problem) : ReplyParse<string>.Accept(program);
    }

    /// <summary>The program in &lt;program&gt; (closing tag optional), or else the longest fenced code block.</summary>
    internal static string? ProgramOf(string reply)
    {
        var open = ProgramOpen().Match(reply);
        if (open.Success)
        {
            var rest = reply[(open.Index + open.Length)..];
            var close = rest.IndexOf("</program>", StringComparison.OrdinalIgnoreCase);
            var inner = close >= 0 ? rest[..close] : rest;
            var fenced = Fences(inner).OrderByDescending(f => f.Length).FirstOrDefault();
            var program = (fenced ?? StripOpenFence(inner)).Trim('\n', '\r');
            return string.IsNullOrWhiteSpace(program) ? null : program + "\n";
        }
        var longest = Fences(reply).OrderByDescending(f => f.Length).FirstOrDefault();
        return string.IsNullOrWhiteSpace(longest) ? null : longest.Trim('\n', '\r') + "\n";
    }

    /// <summary>Contents of ``` fences; an unclosed last fence runs to the end of the text.</summary>
    private static IEnumerable<string> Fences(string text)
    {
        var at = 0;
        while (true)
        {
            var open = FenceOpen().Match(text, at);
            if (!open.Success) yield break;
            var start = open.Index + open.Length;
            var close = text.IndexOf("\n```", start - 1, StringComparison.Ordinal);
            if (close < 0)
            {
                yield return text[start..];
                yield break;
            }
            yield return text[start..close];
            at = close + 4;
        }
    }

    private static string StripOpenFence(string text)
    {
        var open = FenceOpen().Match(text);
        return open.Success && string.IsNullOrWhiteSpace(text[..open.Index]) ? text[(open.Index + open.Length)..] : text;
    }

    private static List<SearchReplaceBlock> Blocks(string reply, out bool unterminated)
    {
        var blocks = new List<SearchReplaceBlock>();
        unterminated = false;
        var text = reply.Replace("\r\n", "\n", StringComparison.Ordinal);
        var at = 0;
        while (true)
        {
            var search = SearchMarker().Match(text, at);
            if (!search.Success) return blocks;
            var divider = Divider().Match(text, search.Index + search.Length);
            var replace = divider.Success ? ReplaceMarker().Match(text, divider.Index + divider.Length) : Match.Empty;
            if (!divider.Success || !replace.Success)
            {
                unterminated = true;
                return blocks;
            }
            var searchText = text[(search.Index + search.Length)..divider.Index];
            var replaceText = text[(divider.Index + divider.Length)..replace.Index];
            blocks.Add(new SearchReplaceBlock(searchText.TrimEnd('\n'), replaceText.TrimEnd('\n')));
            at = replace.Index + replace.Length;
        }
    }

    private static string? Tagged(string reply, string tag)
    {
        // An unclosed tag ends at the next of our own tags (not at any '<', which C# prose like List<int> contains).
        var match = new Regex($@"<{tag}>\s*(.*?)\s*(</{tag}>|(?=<(?:name|motivation|program|diff)>)|$)", RegexOptions.IgnoreCase | RegexOptions.Singleline).Match(reply);
        return match.Success && match.Groups[1].Value.Length > 0 ? match.Groups[1].Value : null;
    }

    /// <summary>"Name: …" / "**Motivation:** …" up to the next blank line.</summary>
    private static string? Labelled(string reply, string label)
    {
        var match = new Regex($@"^[#*\s]*{label}[*\s]*:[*\s]*(.+?)(?:\n\s*\n|\n[#*\s]*\w+[*\s]*:|\n```|\n<|$)", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.Singleline).Match(reply);
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }

    private static string NameFrom(string motivation) => string.Join(' ', motivation.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Take(6));

    private static string OneLine(string text, int max)
    {
        var line = string.Join(' ', text.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= max ? line : line[..max].TrimEnd() + "…";
    }

    [GeneratedRegex(@"<program>", RegexOptions.IgnoreCase)]
    private static partial Regex ProgramOpen();

    [GeneratedRegex(@"```[\w#+-]*[^\S\n]*\n")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"^<{5,9}\s*SEARCH[^\S\n]*\n", RegexOptions.Multiline)]
    private static partial Regex SearchMarker();

    [GeneratedRegex(@"^={5,9}[^\S\n]*\n", RegexOptions.Multiline)]
    private static partial Regex Divider();

    [GeneratedRegex(@"^>{5,9}\s*REPLACE[^\S\n]*$", RegexOptions.Multiline)]
    private static partial Regex ReplaceMarker();
}
