using Microsoft.Extensions.Options;

namespace Evolve.Durable.Hosting;

/// <summary>Worker and connection settings, bound from the configuration section "Durable".</summary>
public sealed class DurableWorkerOptions
{
    public const string SectionName = "Durable";

    /// <summary>Workflow turns replayed at the same time.</summary>
    public int MaxConcurrentWorkflows { get; set; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>Activities executed at the same time.</summary>
    public int MaxConcurrentActivities { get; set; } = Math.Max(8, Environment.ProcessorCount * 4);

    /// <summary>First wait before reconnecting a dropped work-item stream; doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An explicit sidecar URL (e.g. from <c>--sidecar</c>); wins over the environment and the embedded sidecar.</summary>
    public string? SidecarAddress { get; set; }

    /// <summary>API token sent with an explicit <see cref="SidecarAddress"/> (daprd reads its own from DAPR_API_TOKEN).</summary>
    public string? ApiToken { get; set; }

    /// <summary>Ask the sidecar to omit history this worker already holds (WORKER_CAPABILITY_STATEFUL_HISTORY).</summary>
    public bool UseStatefulHistory { get; set; } = true;

    /// <summary>Instances whose history the worker keeps in memory between turns (only with stateful history).</summary>
    public int MaxCachedHistories { get; set; } = 1024;
}

internal sealed class DurableWorkerOptionsValidator : IValidateOptions<DurableWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, DurableWorkerOptions options)
    {
        var errors = new List<string>();
        if (options.MaxConcurrentWorkflows < 1) errors.Add($"Durable:MaxConcurrentWorkflows must be at least 1 (got {options.MaxConcurrentWorkflows}).");
        if (options.MaxConcurrentActivities < 1) errors.Add($"Durable:MaxConcurrentActivities must be at least 1 (got {options.MaxConcurrentActivities}).");
        if (options.ReconnectMinDelay <= TimeSpan.Zero) errors.Add($"Durable:ReconnectMinDelay must be positive (got {options.ReconnectMinDelay}).");
        if (options.ReconnectMaxDelay < options.ReconnectMinDelay)
            errors.Add($"Durable:ReconnectMaxDelay ({options.ReconnectMaxDelay}) must not be shorter than ReconnectMinDelay ({options.ReconnectMinDelay}).");
        if (options.MaxCachedHistories < 0) errors.Add($"Durable:MaxCachedHistories must not be negative (got {options.MaxCachedHistories}).");
        if (options.SidecarAddress is { Length: > 0 } address && !Uri.TryCreate(address, UriKind.Absolute, out _))
            errors.Add($"Durable:SidecarAddress '{address}' is not an absolute URL; use e.g. http://127.0.0.1:50001.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
