namespace Evolve.Durable;

/// <summary>Non-generic view of an activity, used by the worker to run any registered activity.</summary>
public interface IWorkflowActivity
{
    Type InputType { get; }
    Type OutputType { get; }
    Task<object?> RunAsync(WorkflowActivityContext context, object? input);
}

/// <summary>
/// A unit of real work (I/O, computation) called from a workflow. Runs at least once per call, so it
/// should be idempotent.
/// </summary>
public abstract class WorkflowActivity<TInput, TOutput> : IWorkflowActivity
{
    Type IWorkflowActivity.InputType => typeof(TInput);
    Type IWorkflowActivity.OutputType => typeof(TOutput);

    async Task<object?> IWorkflowActivity.RunAsync(WorkflowActivityContext context, object? input) =>
        await RunAsync(context, (TInput)input!);

    public abstract Task<TOutput> RunAsync(WorkflowActivityContext context, TInput input);
}

/// <summary>What an activity knows about its call.</summary>
/// <param name="Name">Registered activity name.</param>
/// <param name="InstanceId">Instance id of the calling workflow.</param>
/// <param name="TaskExecutionId">Stable across retries of the same call: a natural idempotency key.</param>
/// <param name="TaskId">Sequence number of the call in the workflow's history.</param>
/// <param name="CancellationToken">Cancelled when the worker must stop before the activity finished.</param>
public sealed record WorkflowActivityContext(
    string Name,
    string InstanceId,
    string TaskExecutionId,
    int TaskId,
    CancellationToken CancellationToken);
