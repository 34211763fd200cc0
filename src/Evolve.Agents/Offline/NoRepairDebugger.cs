namespace Evolve.Agents.Offline;

/// <summary>
/// The debugger without a model: it cannot repair code, and says so at once, so the debug loop ends after its first
/// attempt and the node records the original failure.
/// </summary>
public sealed class NoRepairDebugger : IDebugger
{
    public Task<DebugOutcome> RepairAsync(DebugRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(DebugOutcome.Failure("no debugger is configured offline (configure an LLM endpoint to repair candidates)", request.Attempt));
    }
}
