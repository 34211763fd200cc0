using System.Text.Json;
using Evolve.Agents.Offline;

namespace Evolve.Agents.Llm;

/// <summary>
/// Writes the round's report with a model: summary, insights (each becomes a cognition item with the node as
/// provenance, done by the loop) and next steps. An unusable reply falls back to the <see cref="DeterministicAnalyzer"/>
/// so the round still gets a report; its summary says so. Transcript: the candidate's round, call 0.
/// </summary>
public sealed class LlmAnalyzer(LlmOptions options, LlmChatClient client, DeterministicAnalyzer fallback) : IAnalyzer
{
    private const int MaxInsights = 5;

    public async Task<AnalysisReport> AnalyzeAsync(AnalysisRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.For(LlmAgentKind.Analyzer);
        var call = new LlmCall(LlmAgentKind.Analyzer, request.Candidate.Round, 0, settings, AgentPrompts.Analysis(request));
        var result = await client.CompleteAsync(call, reply => Parse(reply.Text), cancellationToken).ConfigureAwait(false);
        if (result.Accepted) return result.Value! with { Model = call.Model, Usage = result.Reply.Usage };

        var offline = await fallback.AnalyzeAsync(request, cancellationToken).ConfigureAwait(false);
        return offline with
        {
            Summary = $"{offline.Summary} (deterministic report: the model's reply was unusable: {result.Rejection})",
            Model = call.Model,
            Usage = result.Reply.Usage,
        };
    }

    private static ReplyParse<AnalysisReport> Parse(string text)
    {
        var json = JsonReply.Object(text, AgentPrompts.AnalysisFormat);
        if (!json.Accepted) return ReplyParse<AnalysisReport>.Reject(json.Rejection!);
        var root = json.Value;
        var summary = JsonReply.String(root, "summary");
        if (string.IsNullOrWhiteSpace(summary)) return ReplyParse<AnalysisReport>.Reject("the reply's JSON has no \"summary\"; expected " + AgentPrompts.AnalysisFormat);
        var insights = new List<string>();
        if (root.TryGetProperty("insights", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
                return ReplyParse<AnalysisReport>.Reject("\"insights\" must be a list of strings; expected " + AgentPrompts.AnalysisFormat);
            insights.AddRange(list.EnumerateArray()
                .Where(i => i.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(i.GetString()))
                .Select(i => i.GetString()!.Trim())
                .Distinct(StringComparer.Ordinal)
                .Take(MaxInsights));
        }
        var next = JsonReply.String(root, "next_steps") ?? JsonReply.String(root, "nextSteps") ?? "";
        return ReplyParse<AnalysisReport>.Accept(new AnalysisReport(summary.Trim(), insights, next.Trim()));
    }
}
