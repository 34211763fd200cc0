namespace Evolve.Core.Transcripts;

/// <summary>One message sent to a model.</summary>
public sealed record TranscriptMessage(string Role, string Content);

/// <summary>
/// The audit record of one model call, kept with the node of its round (node id = <c>Node.IdForRound(Round)</c>).
/// </summary>
/// <param name="Agent">"researcher", "debugger", "novelty", "analyzer", "judge".</param>
/// <param name="Round">Round the call served.</param>
/// <param name="Call">Position of the call within the round for this agent (0, 1, …): with Agent and Round the idempotency key.</param>
/// <param name="Model">Model that answered (or was asked, when the call failed).</param>
/// <param name="Messages">What was sent.</param>
/// <param name="Reply">What came back ("" when the call failed).</param>
/// <param name="InputTokens">Prompt tokens of this call.</param>
/// <param name="OutputTokens">Completion tokens of this call.</param>
/// <param name="CostUsd">Price of this call from the configured price table (0 when unpriced).</param>
/// <param name="Latency">Wall time of the call including the agent's retries.</param>
/// <param name="At">When the call finished.</param>
/// <param name="Error">Why the call failed or its reply was rejected; null when it was used.</param>
public sealed record AgentTranscript(
    string Agent,
    long Round,
    int Call,
    string Model,
    IReadOnlyList<TranscriptMessage> Messages,
    string Reply,
    long InputTokens,
    long OutputTokens,
    double CostUsd,
    TimeSpan Latency,
    DateTimeOffset At,
    string? Error = null);

/// <summary>Where agents keep their transcripts. Writes are idempotent by (Agent, Round, Call): a retried activity overwrites its own record.</summary>
public interface ITranscriptStore
{
    Task RecordAsync(AgentTranscript transcript, CancellationToken cancellationToken);

    Task<IReadOnlyList<AgentTranscript>> ForRoundAsync(long round, CancellationToken cancellationToken);
}
