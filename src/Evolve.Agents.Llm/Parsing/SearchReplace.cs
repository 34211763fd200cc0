namespace Evolve.Agents.Llm;

/// <summary>One SEARCH/REPLACE edit: replace the one place where <see cref="Search"/> occurs with <see cref="Replace"/>.</summary>
public sealed record SearchReplaceBlock(string Search, string Replace);

/// <summary>The program after the edits, or the edits whose SEARCH text did not match exactly once.</summary>
public sealed record DiffApplication(string? Program, IReadOnlyList<string> Mismatches)
{
    public bool Applied => Program is not null;
}

/// <summary>
/// Applies SEARCH/REPLACE blocks in order. A SEARCH text must occur exactly once: verbatim, or else line by line with
/// indentation and trailing spaces ignored (models often re-indent). Anything else is a mismatch, reported with the
/// block's number and first line so the model can be shown what went wrong.
/// </summary>
public static class SearchReplace
{
    public static DiffApplication Apply(string program, IReadOnlyList<SearchReplaceBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(blocks);
        var text = program.Replace("\r\n", "\n", StringComparison.Ordinal);
        var mismatches = new List<string>();
        for (var i = 0; i < blocks.Count; i++)
        {
            var search = blocks[i].Search.Replace("\r\n", "\n", StringComparison.Ordinal);
            var replace = blocks[i].Replace.Replace("\r\n", "\n", StringComparison.Ordinal);
            var label = $"SEARCH block {i + 1} (starting \"{FirstLine(search)}\")";
            if (string.IsNullOrWhiteSpace(search))
            {
                mismatches.Add($"SEARCH block {i + 1} is empty; copy the lines to replace from the program");
                continue;
            }
            var exact = Occurrences(text, search);
            if (exact == 1)
            {
                var at = text.IndexOf(search, StringComparison.Ordinal);
                text = string.Concat(text.AsSpan(0, at), replace, text.AsSpan(at + search.Length));
                continue;
            }
            if (exact > 1)
            {
                mismatches.Add($"{label} occurs {exact} times; include more surrounding lines so it matches one place");
                continue;
            }
            var (lineMatches, replaced) = ReplaceLines(text, search, replace);
            if (lineMatches == 1) text = replaced!;
            else if (lineMatches > 1) mismatches.Add($"{label} matches {lineMatches} places (ignoring indentation); include more surrounding lines");
            else mismatches.Add($"{label} does not occur in the program, not even ignoring indentation");
        }
        return mismatches.Count == 0 ? new DiffApplication(text, []) : new DiffApplication(null, mismatches);
    }

    private static int Occurrences(string text, string search)
    {
        var count = 0;
        for (var at = text.IndexOf(search, StringComparison.Ordinal); at >= 0; at = text.IndexOf(search, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }

    private static (int Matches, string? Result) ReplaceLines(string text, string search, string replace)
    {
        var lines = text.Split('\n');
        var wanted = search.Trim('\n').Split('\n').Select(l => l.Trim()).ToArray();
        var starts = new List<int>();
        for (var i = 0; i + wanted.Length <= lines.Length; i++)
        {
            var all = true;
            for (var j = 0; j < wanted.Length && all; j++) all = lines[i + j].Trim() == wanted[j];
            if (all) starts.Add(i);
        }
        if (starts.Count != 1) return (starts.Count, null);
        var start = starts[0];
        var result = lines.Take(start).Concat(replace.Trim('\n').Split('\n')).Concat(lines.Skip(start + wanted.Length));
        return (1, string.Join('\n', result));
    }

    private static string FirstLine(string text)
    {
        var line = text.Trim('\n').Split('\n')[0].Trim();
        return line.Length <= 60 ? line : line[..60] + "…";
    }
}
