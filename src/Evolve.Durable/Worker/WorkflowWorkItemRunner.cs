using Evolve.Durable.Hosting;
using Evolve.Durable.Protocol;
using Evolve.Durable.Replay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Worker;

/// <summary>Runs one workflow turn: assembles the full history, replays the code, builds the WorkflowResponse.</summary>
internal sealed class WorkflowWorkItemRunner(
    IServiceScopeFactory scopes,
    DurableRegistry registry,
    WorkflowExecutor executor,
    ILogger<WorkflowWorkItemRunner> logger)
{
    public async Task<WorkflowResponse> RunAsync(
        WorkflowRequest request,
        WorkflowHistoryCache historyCache,
        TaskHubSidecarService.TaskHubSidecarServiceClient client,
        CancellationToken cancellationToken)
    {
        var executionId = request.ExecutionId ?? "";
        var pastEvents = await GetPastEventsAsync(request, historyCache, client, cancellationToken);

        WorkflowTurnResult result;
        await using (var scope = scopes.CreateAsyncScope())
        {
            result = executor.Execute(request.InstanceId, pastEvents, request.NewEvents,
                name => registry.Workflows.TryGetValue(name, out var type)
                    ? (IWorkflow)ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, type)
                    : null,
                registry.Workflows.Keys);
        }

        if (result.IsCompleted)
        {
            historyCache.Remove(request.InstanceId);
            if (result.Completion is { WorkflowStatus: OrchestrationStatus.Failed } failed)
            {
                logger.LogWarning("Workflow {InstanceId} failed: {ErrorType}: {ErrorMessage}",
                    request.InstanceId, failed.FailureDetails?.ErrorType, failed.FailureDetails?.ErrorMessage);
            }
        }
        else
        {
            var seen = new List<HistoryEvent>(pastEvents.Count + request.NewEvents.Count);
            seen.AddRange(pastEvents);
            seen.AddRange(request.NewEvents);
            historyCache.Store(request.InstanceId, executionId, seen);
        }

        var response = new WorkflowResponse { InstanceId = request.InstanceId };
        response.Actions.AddRange(result.Actions);
        if (result.CustomStatus is not null) response.CustomStatus = result.CustomStatus;
        return response;
    }

    private async Task<IReadOnlyList<HistoryEvent>> GetPastEventsAsync(
        WorkflowRequest request,
        WorkflowHistoryCache historyCache,
        TaskHubSidecarService.TaskHubSidecarServiceClient client,
        CancellationToken cancellationToken)
    {
        if (request.CachedHistory is not { EventCount: > 0 } cached)
        {
            return request.PastEvents;
        }
        if (historyCache.TryGetPrefix(request.InstanceId, request.ExecutionId ?? "", cached.EventCount, out var prefix))
        {
            prefix.AddRange(request.PastEvents);
            return prefix;
        }
        // The sidecar assumed we hold a prefix we do not (evicted, or another stream): fetch the committed history.
        logger.LogDebug("History cache miss for {InstanceId}; fetching {Count} events", request.InstanceId, cached.EventCount);
        var history = await client.GetInstanceHistoryAsync(new GetInstanceHistoryRequest { InstanceId = request.InstanceId },
            cancellationToken: cancellationToken);
        return history.Events;
    }
}
