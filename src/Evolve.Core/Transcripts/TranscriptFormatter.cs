using System.Globalization;
using System.Text;

namespace Evolve.Core.Transcripts;

/// <summary>
/// Plain-text rendering of a node's transcripts for <c>evolve node &lt;id&gt; --transcripts</c>: one block per call
/// with its accounting line, then every message and the reply, each indented under its role.
/// </summary>
public static class TranscriptFormatter
{
    /// <param name="transcripts">The calls of one round (as <see cref="ITranscriptStore.ForRoundAsync"/> returns them).</param>
    /// <param name="maxCharsPerMessage">Longer messages are shortened in the middle (0 = never); the store keeps them whole.</param>
    public static string Format(IReadOnlyList<AgentTranscript> transcripts, int maxCharsPerMessage = 0)
    {
        ArgumentNullException.ThrowIfNull(transcripts);
        if (transcripts.Count == 0) return "No model calls were recorded for this node (offline agents, or the round ran before transcripts existed).\n";
        var text = new StringBuilder();
        long input = 0, output = 0;
        double cost = 0;
        foreach (var t in transcripts)
        {
            input += t.InputTokens;
            output += t.OutputTokens;
            cost += t.CostUsd;
            text.Append(CultureInfo.InvariantCulture,
                $"=== {t.Agent} call {t.Call} · {t.Model} · {t.InputTokens} in / {t.OutputTokens} out tokens · ${t.CostUsd:0.######} · {t.Latency.TotalSeconds:0.00} s · {t.At:yyyy-MM-dd HH:mm:ss}Z\n");
            if (t.Error is not null) text.Append("!!! ").Append(t.Error).Append('\n');
            foreach (var message in t.Messages) Block(text, message.Role, message.Content, maxCharsPerMessage);
            Block(text, "reply", t.Reply.Length == 0 ? "(none)" : t.Reply, maxCharsPerMessage);
            text.Append('\n');
        }
        text.Append(CultureInfo.InvariantCulture,
            $"Total: {transcripts.Count} call{(transcripts.Count == 1 ? "" : "s")}, {input} input + {output} output tokens, ${cost:0.######}\n");
        return text.ToString();
    }

    private static void Block(StringBuilder text, string role, string content, int max)
    {
        if (max > 0 && content.Length > max)
        {
            var half = max / 2;
            content = $"{content[..half]}\n… ({content.Length - 2 * half} characters not shown) …\n{content[^half..]}";
        }
        text.Append("--- ").Append(role).Append('\n');
        foreach (var line in content.TrimEnd('\n').Split('\n')) text.Append("    ").Append(line).Append('\n');
    }
}
