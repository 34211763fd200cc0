using System.Text.Json;

namespace Evolve.Agents.Llm;

/// <summary>
/// Scores a candidate 0–1 on the task's rubric. An unusable reply is asked once more (call 1) with the reason; if that
/// fails too, <see cref="LlmReplyRejectedException"/> tells the loop to skip judging this candidate.
/// </summary>
public sealed class LlmJudge(LlmOptions options, LlmChatClient client) : IJudge
{
    public async Task<JudgeScore> ScoreAsync(JudgeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.For(LlmAgentKind.Judge);
        var messages = AgentPrompts.Judge(request);
        var first = await client.CompleteAsync(new LlmCall(LlmAgentKind.Judge, request.Candidate.Round, 0, settings, messages), r => Parse(r.Text), cancellationToken)
            .ConfigureAwait(false);
        if (first.Accepted) return first.Value! with { Model = settings.Model, Usage = first.Reply.Usage };

        Core.Transcripts.TranscriptMessage[] again =
        [
            .. messages,
            new("assistant", first.Reply.Text),
            new("user", $"That answer could not be used ({first.Rejection}). Answer with {AgentPrompts.JudgeFormat} only."),
        ];
        var second = await client.CompleteAsync(new LlmCall(LlmAgentKind.Judge, request.Candidate.Round, 1, settings, again), r => Parse(r.Text), cancellationToken)
            .ConfigureAwait(false);
        var usage = first.Reply.Usage.Add(second.Reply.Usage);
        return second.Accepted
            ? second.Value! with { Model = settings.Model, Usage = usage }
            : throw new LlmReplyRejectedException("judge", $"{first.Rejection}; then {second.Rejection}", usage);
    }

    private static ReplyParse<JudgeScore> Parse(string text)
    {
        var json = JsonReply.Object(text, AgentPrompts.JudgeFormat);
        if (!json.Accepted) return ReplyParse<JudgeScore>.Reject(json.Rejection!);
        if (!json.Value.TryGetProperty("score", out var score) || score.ValueKind != JsonValueKind.Number ||
            !(score.GetDouble() is var value && double.IsFinite(value) && value is >= 0 and <= 1))
            return ReplyParse<JudgeScore>.Reject("\"score\" must be a number from 0 to 1; expected " + AgentPrompts.JudgeFormat);
        var rationale = JsonReply.String(json.Value, "rationale") ?? "";
        return ReplyParse<JudgeScore>.Accept(new JudgeScore(value, rationale.Trim(), null, TokenUsage.None));
    }
}

/// <summary>An agent could not get a usable answer although the endpoint worked; <see cref="Usage"/> is what it spent.</summary>
public sealed class LlmReplyRejectedException(string agent, string reason, TokenUsage usage)
    : Exception($"{agent}: the model's replies were unusable: {reason}")
{
    public TokenUsage Usage { get; } = usage;
}
