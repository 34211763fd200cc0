using System.ClientModel;
using System.Globalization;
using System.Net;
using Microsoft.SemanticKernel;

namespace Evolve.Agents.Llm;

/// <summary>How a failed call is treated: retried (429, 5xx, timeouts, lost connections) or given up on at once.</summary>
internal sealed record CallFailure(bool Transient, int? Status, TimeSpan? RetryAfter, string Description)
{
    private static readonly int[] TransientStatuses = [408, 409, 425, 429, 500, 502, 503, 504];

    public static CallFailure Timeout(TimeSpan limit) =>
        new(true, null, null, $"no answer within the per-call timeout of {limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");

    public static CallFailure From(Exception exception)
    {
        int? status = null;
        TimeSpan? retryAfter = null;
        string? body = null;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ClientResultException result:
                    if (result.Status != 0) status ??= result.Status;
                    if (result.GetRawResponse() is { } response)
                    {
                        retryAfter ??= RetryAfterOf(response.Headers);
                        body ??= Snippet(response.Content?.ToString());
                    }
                    break;
                case HttpOperationException http:
                    if (http.StatusCode is { } code) status ??= (int)code;
                    body ??= Snippet(http.ResponseContent);
                    break;
                case HttpRequestException request when request.StatusCode is { } requestStatus:
                    status ??= (int)requestStatus;
                    break;
            }
        }
        if (status is null)
            return new CallFailure(true, null, null, "connection failed: " + Innermost(exception).Message);
        var description = $"HTTP {status} {ReasonOf(status.Value)}{(string.IsNullOrWhiteSpace(body) ? "" : ": " + body)}";
        return new CallFailure(TransientStatuses.Contains(status.Value), status, retryAfter, description);
    }

    /// <summary>Retry-After in seconds or as an HTTP date; the non-standard retry-after-ms wins when present.</summary>
    private static TimeSpan? RetryAfterOf(System.ClientModel.Primitives.PipelineResponseHeaders headers)
    {
        if (headers.TryGetValue("retry-after-ms", out var ms) &&
            double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            return TimeSpan.FromMilliseconds(milliseconds);
        if (!headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    private static string ReasonOf(int status) =>
        Enum.IsDefined(typeof(HttpStatusCode), status) ? ((HttpStatusCode)status).ToString() : "";

    private static string? Snippet(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Length <= 300 ? text.Trim() : text[..300].Trim() + "…";

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
