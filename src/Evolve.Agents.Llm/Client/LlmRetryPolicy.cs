using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;

namespace Evolve.Agents.Llm;

/// <summary>
/// Runs one endpoint request with a per-attempt timeout and retries transient failures (429, 5xx, timeouts, lost
/// connections) with exponential backoff and ±25% jitter, or exactly the Retry-After the endpoint asked for. Requests
/// the endpoint refuses for good throw <see cref="LlmRequestException"/> at once; when the attempts run out, or the
/// endpoint asks for a longer pause than <see cref="LlmRetryOptions.MaxRetryAfterSeconds"/>, it throws
/// <see cref="AgentUnavailableException"/> so the campaign can wait on a durable timer instead.
/// </summary>
public sealed class LlmRetryPolicy(LlmRetryOptions options, TimeProvider timeProvider, ILogger<LlmRetryPolicy>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<LlmRetryPolicy>.Instance;

    public async Task<T> ExecuteAsync<T>(string agent, TimeSpan timeout, Func<CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 1; ; attempt++)
        {
            CallFailure failure;
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(timeout);
                try
                {
                    return await request(limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException)
                {
                    failure = CallFailure.Timeout(timeout);
                }
                catch (Exception e) when (e is HttpOperationException or System.ClientModel.ClientResultException or HttpRequestException)
                {
                    failure = CallFailure.From(e);
                    if (!failure.Transient) throw new LlmRequestException(agent, failure.Status ?? 0, failure.Description);
                }
            }

            if (failure.RetryAfter is { } asked && asked.TotalSeconds > options.MaxRetryAfterSeconds)
                throw new AgentUnavailableException(agent, $"{failure.Description}; asked to retry after {asked.TotalSeconds:0} s", asked);
            if (attempt >= options.MaxAttempts)
                throw new AgentUnavailableException(agent, $"{failure.Description} (after {attempt} attempt{(attempt == 1 ? "" : "s")})", failure.RetryAfter);
            var delay = failure.RetryAfter ?? Backoff(attempt);
            _logger.LogWarning("{Agent}: attempt {Attempt} of {Max} failed ({Failure}); retrying in {Delay} ms",
                agent, attempt, options.MaxAttempts, failure.Description, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(options.MaxDelaySeconds, options.InitialDelaySeconds * Math.Pow(2, attempt - 1));
        // Jitter keeps parallel rounds that hit the same rate limit from coming back in lockstep.
        return TimeSpan.FromSeconds(seconds * (0.75 + 0.5 * Random.Shared.NextDouble()));
    }
}
