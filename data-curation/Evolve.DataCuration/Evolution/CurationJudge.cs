using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Evolve.DataCuration.Evolution;

/// <summary>One document before and after cleaning; <see cref="After"/> is null when the strategy dropped it.</summary>
public sealed record JudgedPair(string DocumentId, string Before, string? After);

/// <summary>What the judge concluded over the pairs it could rate.</summary>
/// <param name="MeanScore">Mean of the 1–10 ratings; NaN when no pair was rated.</param>
/// <param name="Rated">Pairs with a usable rating.</param>
/// <param name="Unusable">Pairs whose reply was not the JSON asked for, or whose request failed.</param>
/// <param name="Issues">Distinct issues named, most frequent first.</param>
/// <param name="NewIssues">Those not seen before by this judge (nor in the seed priors it was given).</param>
public sealed record JudgeReport(double MeanScore, int Rated, int Unusable, IReadOnlyList<string> Issues, IReadOnlyList<string> NewIssues);

/// <summary>
/// An LLM rates before/after pairs of cleaned documents from 1 to 10 and names the issues it sees (noise left in,
/// content lost, over-masking, …), as the reference system does. Issues it has not reported before are returned
/// separately: the evaluator turns them into cognition items. Thread-safe.
/// </summary>
public sealed class CurationJudge(IChatClient chat, ILogger<CurationJudge> logger)
{
    internal const string Instructions =
        "You review one step of a pipeline that cleans web text for language-model pretraining. You get a document BEFORE " +
        "and AFTER cleaning (or a note that the document was dropped). Rate the cleaning from 1 (harmful) to 10 (perfect): " +
        "good cleaning removes HTML, navigation, cookie banners, junk lines, spam and broken encodings, masks personal data " +
        "(e-mail, phone, IP, ID numbers), drops duplicates and fragments, and keeps every sentence, formula, code line and " +
        "table of real content. Reply with JSON only: {\"score\": <1-10>, \"issues\": [\"<short issue>\", ...]} with an " +
        "empty list when there is nothing wrong.";

    private readonly HashSet<string> seen = new(StringComparer.Ordinal);

    /// <summary>Issues the judge should not report as new (e.g. the task's seed cognition).</summary>
    public void AddKnownIssues(IEnumerable<string> issues)
    {
        lock (seen)
        {
            foreach (var issue in issues) seen.Add(Normalize(issue));
        }
    }

    public async Task<JudgeReport> JudgeAsync(IReadOnlyList<JudgedPair> pairs, int maxCharacters, CancellationToken cancellationToken)
    {
        var scores = new List<double>();
        var counts = new Dictionary<string, (string Text, int Count)>(StringComparer.Ordinal);
        var unusable = 0;
        foreach (var pair in pairs)
        {
            string reply;
            try
            {
                var response = await chat.GetResponseAsync(
                    [new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, Prompt(pair, maxCharacters))],
                    new ChatOptions { Temperature = 0 }, cancellationToken);
                reply = response.Text;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("The curation judge failed on {Document}: {Error}", pair.DocumentId, e.Message);
                unusable++;
                continue;
            }

            if (!TryParse(reply, out var score, out var issues))
            {
                logger.LogWarning("The curation judge's reply for {Document} is not the JSON asked for: {Reply}", pair.DocumentId, Clip(reply, 200));
                unusable++;
                continue;
            }

            scores.Add(score);
            foreach (var issue in issues)
            {
                var key = Normalize(issue);
                counts[key] = counts.TryGetValue(key, out var c) ? (c.Text, c.Count + 1) : (issue, 1);
            }
        }

        var ordered = counts.OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var fresh = new List<string>();
        lock (seen)
        {
            foreach (var (key, value) in ordered)
            {
                if (seen.Add(key)) fresh.Add(value.Text);
            }
        }

        return new JudgeReport(scores.Count == 0 ? double.NaN : scores.Average(), scores.Count, unusable,
            ordered.Select(p => p.Value.Text).ToList(), fresh);
    }

    private static string Prompt(JudgedPair pair, int maxCharacters)
    {
        var prompt = new StringBuilder();
        prompt.Append("BEFORE:\n").Append(Clip(pair.Before, maxCharacters)).Append("\n\n");
        prompt.Append(pair.After is null ? "AFTER: (the document was dropped)\n" : "AFTER:\n" + Clip(pair.After, maxCharacters) + "\n");
        return prompt.ToString();
    }

    /// <summary>Reads {"score": n, "issues": [...]} from the reply, tolerating prose or code fences around it.</summary>
    internal static bool TryParse(string reply, out double score, out IReadOnlyList<string> issues)
    {
        score = 0;
        issues = [];
        var start = reply.IndexOf('{');
        var end = reply.LastIndexOf('}');
        if (start < 0 || end <= start) return false;
        try
        {
            using var json = JsonDocument.Parse(reply.AsMemory(start, end - start + 1));
            var root = json.RootElement;
            if (!root.TryGetProperty("score", out var value)) return false;
            var number = value.ValueKind switch
            {
                JsonValueKind.Number => value.GetDouble(),
                JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => double.NaN,
            };
            if (!double.IsFinite(number) || number < 1 || number > 10) return false;
            score = number;
            if (root.TryGetProperty("issues", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                issues = list.EnumerateArray()
                    .Where(i => i.ValueKind == JsonValueKind.String)
                    .Select(i => Clip(i.GetString()!.Trim(), 200))
                    .Where(i => i.Length > 0)
                    .ToList();
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Case, punctuation and spacing do not make an issue new.</summary>
    internal static string Normalize(string issue)
    {
        var builder = new StringBuilder(issue.Length);
        foreach (var c in issue.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c)) builder.Append(c);
            else if (builder.Length > 0 && builder[^1] != ' ') builder.Append(' ');
        }

        return builder.ToString().Trim();
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max] + " …";
}
