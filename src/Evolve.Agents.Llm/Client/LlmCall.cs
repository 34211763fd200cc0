using Evolve.Core.Transcripts;

namespace Evolve.Agents.Llm;

/// <summary>One request to a model: who asks, for which round, the position of the call, where, and what.</summary>
/// <param name="Call">Position of this agent's call within the round: with Agent and Round the transcript's key.</param>
public sealed record LlmCall(LlmAgentKind Agent, long Round, int Call, LlmEndpointSettings Settings, IReadOnlyList<TranscriptMessage> Messages)
{
    public string Model => Settings.Model ?? throw new InvalidOperationException($"{Agent.ConfigName()}: no model configured.");
}

/// <summary>A model's answer with its accounting.</summary>
/// <param name="Model">The configured model name (the price table's key), not the endpoint's variant string.</param>
/// <param name="FinishReason">As the endpoint reported it, lower case ("stop", "length", …); null when it did not say.</param>
public sealed record LlmReply(string Text, string Model, string? FinishReason, long InputTokens, long OutputTokens, double CostUsd, TimeSpan Latency)
{
    /// <summary>The endpoint stopped because it hit max_tokens: the text is incomplete.</summary>
    public bool CutOff => string.Equals(FinishReason, "length", StringComparison.OrdinalIgnoreCase);

    public TokenUsage Usage => new(InputTokens, OutputTokens, CostUsd);
}

/// <summary>What an agent made of a reply: a value, or why the reply cannot be used (recorded as the transcript's error).</summary>
public readonly record struct ReplyParse<T>(T? Value, string? Rejection)
{
    public static ReplyParse<T> Accept(T value) => new(value, null);

    public static ReplyParse<T> Reject(string reason) => new(default, reason);

    public bool Accepted => Rejection is null;
}

/// <summary>The answer to one call after parsing.</summary>
public sealed record LlmResult<T>(T? Value, string? Rejection, LlmReply Reply)
{
    public bool Accepted => Rejection is null;
}

/// <summary>
/// The endpoint refused the request for a reason retrying will not fix (400, 401, 403, 404, 413, 422, …): a bad key, an
/// unknown model, a prompt over the context window. The message names the status and what the endpoint said.
/// </summary>
public sealed class LlmRequestException(string agent, int status, string detail)
    : Exception($"{agent}: the model endpoint rejected the request with HTTP {status}: {detail}{Hint(status)}")
{
    public int Status { get; } = status;

    /// <summary>True for problems of the configuration (credentials, model, endpoint), false for problems of this one request.</summary>
    public bool IsConfigurationProblem => Status is 401 or 403 or 404;

    private static string Hint(int status) => status switch
    {
        401 or 403 => " (check that the variable named by api_key_env holds a valid key for this endpoint)",
        404 => " (check the endpoint URI, which must include the API version path such as /v1, and the model name)",
        _ => "",
    };
}
