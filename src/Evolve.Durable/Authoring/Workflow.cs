namespace Evolve.Durable;

/// <summary>Non-generic view of a workflow, used by the replay engine to run any registered workflow.</summary>
public interface IWorkflow
{
    Type InputType { get; }
    Type OutputType { get; }
    Task<object?> RunAsync(WorkflowContext context, object? input);
}

/// <summary>
/// A durable workflow. <see cref="RunAsync"/> is replayed from the start on every turn, so it must be
/// deterministic: use only the context for time, GUIDs, waiting and side effects (activities).
/// </summary>
public abstract class Workflow<TInput, TOutput> : IWorkflow
{
    Type IWorkflow.InputType => typeof(TInput);
    Type IWorkflow.OutputType => typeof(TOutput);

    async Task<object?> IWorkflow.RunAsync(WorkflowContext context, object? input) =>
        await RunAsync(context, (TInput)input!);

    public abstract Task<TOutput> RunAsync(WorkflowContext context, TInput input);
}
