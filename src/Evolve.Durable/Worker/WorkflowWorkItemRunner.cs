using Evolve.Durable.Hosting;
using Evolve.Durable.Protocol;
using Evolve.Durable.Replay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Worker;

/// <summary>
/// Runs one workflow turn: continues the cached replay session when it holds exactly the history the
/// sidecar left out, otherwise assembles the full history and replays from the start.
/// </summary>
internal sealed class WorkflowWorkItemRunner(
    IServiceScopeFactory scopes,
    DurableRegistry registry,
    WorkflowExecutor executor,
    ILogger<WorkflowWorkItemRunner> logger)
{
    public async Task<WorkflowResponse> RunAsync(
        WorkflowRequest request,
        WorkflowSessionCache sessions,
        TaskHubSidecarService.TaskHubSidecarServiceClient client,
        CancellationToken cancellationToken)
    {
        var executionId = request.ExecutionId ?? "";
        var generation = sessions.Generation;
        var entry = sessions.Take(request.InstanceId);
        var cachedCount = request.CachedHistory?.EventCount ?? 0;
        if (entry is not null && executionId.Length > 0 && entry.ExecutionId != executionId)
        {
            entry.Dispose(); // another execution (continue-as-new): nothing we hold applies
            entry = null;
        }

        WorkflowTurnResult result;
        if (entry is { Session: { IsFinished: false } session } && session.EventsApplied == entry.Events.Count
            && TryGetUnseenPast(request, entry, cachedCount) is { } unseenPast)
        {
            result = session.RunTurn(unseenPast, request.NewEvents);
            entry.Events.AddRange(unseenPast);
        }
        else
        {
            var pastEvents = await GetFullPastAsync(request, entry, cachedCount, client, cancellationToken);
            entry?.Dispose();
            entry = new WorkflowSessionCache.Entry(executionId, generation);
            entry.Events.AddRange(pastEvents);
            var scope = scopes.CreateScope();
            entry.Scope = scope;
            entry.Session = executor.StartSession(request.InstanceId,
                name => registry.Workflows.TryGetValue(name, out var type)
                    ? (IWorkflow)ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, type)
                    : null,
                registry.Workflows.Keys);
            result = entry.Session.RunTurn(pastEvents, request.NewEvents);
        }
        entry.Events.AddRange(request.NewEvents);

        if (result.IsCompleted)
        {
            entry.Dispose();
            if (result.Completion is { WorkflowStatus: OrchestrationStatus.Failed } failed)
            {
                logger.LogWarning("Workflow {InstanceId} failed: {ErrorType}: {ErrorMessage}",
                    request.InstanceId, failed.FailureDetails?.ErrorType, failed.FailureDetails?.ErrorMessage);
            }
        }
        else
        {
            sessions.Return(request.InstanceId, entry);
        }

        var response = new WorkflowResponse { InstanceId = request.InstanceId };
        response.Actions.AddRange(result.Actions);
        if (result.CustomStatus is not null) response.CustomStatus = result.CustomStatus;
        return response;
    }

    /// <summary>
    /// The committed events the live session has not applied yet, or null when the session does not
    /// hold exactly a prefix of this history. With a cached-history request the sidecar says what we
    /// hold; with a full history (daprd without stateful history) the prefix is checked event by event.
    /// </summary>
    private static IReadOnlyList<HistoryEvent>? TryGetUnseenPast(WorkflowRequest request, WorkflowSessionCache.Entry entry, int cachedCount)
    {
        var held = entry.Events;
        if (cachedCount > 0)
        {
            return cachedCount == held.Count ? request.PastEvents : null;
        }
        var past = request.PastEvents;
        if (past.Count < held.Count)
        {
            return null;
        }
        for (var i = 0; i < held.Count; i++)
        {
            if (!SameEvent(held[i], past[i])) return null;
        }
        var unseen = new List<HistoryEvent>(past.Count - held.Count);
        for (var i = held.Count; i < past.Count; i++) unseen.Add(past[i]);
        return unseen;
    }

    private static bool SameEvent(HistoryEvent a, HistoryEvent b) =>
        a.EventId == b.EventId && a.EventTypeCase == b.EventTypeCase && Equals(a.Timestamp, b.Timestamp);

    /// <summary>Every committed event of the execution: the request's own, or our prefix + the request's, or fetched.</summary>
    private async Task<IReadOnlyList<HistoryEvent>> GetFullPastAsync(
        WorkflowRequest request,
        WorkflowSessionCache.Entry? entry,
        int cachedCount,
        TaskHubSidecarService.TaskHubSidecarServiceClient client,
        CancellationToken cancellationToken)
    {
        if (cachedCount == 0)
        {
            return request.PastEvents;
        }
        if (entry is not null && entry.Events.Count >= cachedCount)
        {
            var full = entry.Events.GetRange(0, cachedCount);
            full.AddRange(request.PastEvents);
            return full;
        }
        // The sidecar assumed we hold a prefix we do not (evicted, or a turn that was not accepted): fetch it.
        logger.LogDebug("History cache miss for {InstanceId}; fetching the committed history", request.InstanceId);
        var history = await client.GetInstanceHistoryAsync(new GetInstanceHistoryRequest { InstanceId = request.InstanceId },
            cancellationToken: cancellationToken);
        return history.Events;
    }
}
