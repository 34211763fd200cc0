namespace Evolve.Agents;

/// <summary>
/// The model endpoint stayed unreachable (429, 5xx, timeouts) after the agent's own retries. Not the candidate's
/// fault: the round is not committed as a failure; the campaign waits on a durable timer and runs the round again.
/// </summary>
public sealed class AgentUnavailableException(string agent, string reason, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception($"{agent}: the model endpoint is unavailable ({reason}); the campaign pauses and retries the round later.", inner)
{
    public string Agent { get; } = agent;

    public string Reason { get; } = reason;

    /// <summary>How long the endpoint asked to be left alone (Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
