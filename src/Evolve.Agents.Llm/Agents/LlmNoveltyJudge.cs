using System.Text.Json;
using Evolve.Agents.Novelty;

namespace Evolve.Agents.Llm;

/// <summary>
/// Asked by the novelty check only for near duplicates: the model decides whether the candidate is meaningfully new.
/// An unusable reply falls back to the offline <see cref="ParameterNoveltyJudge"/> (its reason says so) rather than
/// losing the candidate or the round. Transcript: round of the candidate (<see cref="NoveltyCandidate.Round"/>), call 0.
/// </summary>
public sealed class LlmNoveltyJudge(LlmOptions options, LlmChatClient client, ParameterNoveltyJudge fallback) : INoveltyJudge
{
    public async Task<NoveltyJudgement> JudgeAsync(NoveltyJudgeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.For(LlmAgentKind.Novelty);
        var call = new LlmCall(LlmAgentKind.Novelty, request.Candidate.Round ?? -1, 0, settings, AgentPrompts.Novelty(request));
        var result = await client.CompleteAsync(call, reply => Parse(reply.Text), cancellationToken).ConfigureAwait(false);
        if (result.Accepted) return result.Value! with { Model = call.Model, Usage = result.Reply.Usage };

        var offline = await fallback.JudgeAsync(request, cancellationToken).ConfigureAwait(false);
        return offline with
        {
            Reason = $"{offline.Reason} (offline judgement: the model's reply was unusable: {result.Rejection})",
            Model = call.Model,
            Usage = result.Reply.Usage,
        };
    }

    private static ReplyParse<NoveltyJudgement> Parse(string text)
    {
        var json = JsonReply.Object(text, AgentPrompts.NoveltyFormat);
        if (!json.Accepted) return ReplyParse<NoveltyJudgement>.Reject(json.Rejection!);
        var root = json.Value;
        if (!root.TryGetProperty("novel", out var novel) || novel.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            return ReplyParse<NoveltyJudgement>.Reject("the reply's JSON has no boolean \"novel\"; expected " + AgentPrompts.NoveltyFormat);
        var reason = JsonReply.String(root, "reason");
        if (string.IsNullOrWhiteSpace(reason)) return ReplyParse<NoveltyJudgement>.Reject("the reply's JSON has no \"reason\"; expected " + AgentPrompts.NoveltyFormat);
        return ReplyParse<NoveltyJudgement>.Accept(new NoveltyJudgement(novel.GetBoolean(), reason.Trim(), null, TokenUsage.None));
    }
}
