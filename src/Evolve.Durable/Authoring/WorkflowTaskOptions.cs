namespace Evolve.Durable;

/// <summary>Options for an activity call.</summary>
public record WorkflowTaskOptions(WorkflowRetryPolicy? RetryPolicy = null);

/// <summary>Options for a child workflow call.</summary>
/// <param name="InstanceId">Child instance id; by default derived from the parent id and call sequence number.</param>
public record ChildWorkflowTaskOptions(string? InstanceId = null, WorkflowRetryPolicy? RetryPolicy = null)
    : WorkflowTaskOptions(RetryPolicy);

/// <summary>
/// Retries a failed activity or child workflow after a durable timer, with exponential back-off.
/// </summary>
public sealed class WorkflowRetryPolicy
{
    public WorkflowRetryPolicy(
        int maxNumberOfAttempts,
        TimeSpan firstRetryInterval,
        double backoffCoefficient = 1.0,
        TimeSpan? maxRetryInterval = null,
        Func<WorkflowTaskFailureDetails, bool>? handle = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNumberOfAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstRetryInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(backoffCoefficient, 1.0);
        if (maxRetryInterval is { } max && max < firstRetryInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(maxRetryInterval), "maxRetryInterval must not be shorter than firstRetryInterval.");
        }
        MaxNumberOfAttempts = maxNumberOfAttempts;
        FirstRetryInterval = firstRetryInterval;
        BackoffCoefficient = backoffCoefficient;
        MaxRetryInterval = maxRetryInterval ?? TimeSpan.FromHours(1);
        Handle = handle ?? (_ => true);
    }

    public int MaxNumberOfAttempts { get; }
    public TimeSpan FirstRetryInterval { get; }
    public double BackoffCoefficient { get; }
    public TimeSpan MaxRetryInterval { get; }

    /// <summary>Decides from the failure whether it is worth retrying (default: always).</summary>
    public Func<WorkflowTaskFailureDetails, bool> Handle { get; }

    /// <summary>Delay before attempt <paramref name="failedAttempt"/> + 1 (attempts count from 1).</summary>
    public TimeSpan GetDelayAfterAttempt(int failedAttempt)
    {
        var ticks = FirstRetryInterval.Ticks * Math.Pow(BackoffCoefficient, failedAttempt - 1);
        return ticks >= MaxRetryInterval.Ticks ? MaxRetryInterval : TimeSpan.FromTicks((long)ticks);
    }
}
