using Evolve.Durable.Hosting;
using Evolve.Durable.Protocol;
using Evolve.Durable.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Worker;

/// <summary>Runs one activity work item and turns its outcome (or failure) into an ActivityResponse.</summary>
internal sealed class ActivityWorkItemRunner(IServiceScopeFactory scopes, DurableRegistry registry, ILogger<ActivityWorkItemRunner> logger)
{
    /// <returns>The response, or null when the worker is shutting down and the item should be left for re-dispatch.</returns>
    public async Task<ActivityResponse?> RunAsync(ActivityRequest request, CancellationToken shutdownToken)
    {
        var instanceId = request.WorkflowInstance?.InstanceId ?? "";
        var response = new ActivityResponse { InstanceId = instanceId, TaskId = request.TaskId };
        if (!registry.Activities.TryGetValue(request.Name, out var activityType))
        {
            response.FailureDetails = new WorkflowTaskFailureDetails("ActivityNotRegistered",
                $"No activity named '{request.Name}' is registered with this worker. Registered activities: " +
                $"{string.Join(", ", registry.Activities.Keys)}. Register it with registry.AddActivity<T>().",
                IsNonRetriable: true).ToProto();
            return response;
        }
        await using var scope = scopes.CreateAsyncScope();
        var activity = (IWorkflowActivity)ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, activityType);
        object? input;
        try
        {
            input = DurableJson.Deserialize(request.Input, activity.InputType);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
        {
            response.FailureDetails = new WorkflowTaskFailureDetails("InvalidActivityInput",
                $"The input of activity '{request.Name}' could not be read as {activity.InputType.Name}: {ex.Message}",
                IsNonRetriable: true).ToProto();
            return response;
        }
        var context = new WorkflowActivityContext(request.Name, instanceId, request.TaskExecutionId, request.TaskId, shutdownToken);
        try
        {
            var output = await activity.RunAsync(context, input);
            if (DurableJson.Serialize(output) is { } json) response.Result = json;
        }
        catch (OperationCanceledException) when (shutdownToken.IsCancellationRequested)
        {
            logger.LogInformation("Activity {Name} of {InstanceId} stopped by shutdown; the sidecar will dispatch it again", request.Name, instanceId);
            return null;
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Activity {Name} of {InstanceId} failed", request.Name, instanceId);
            response.FailureDetails = WorkflowTaskFailureDetails.FromException(ex).ToProto();
        }
        return response;
    }
}
