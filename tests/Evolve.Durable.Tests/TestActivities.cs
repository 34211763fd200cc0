namespace Evolve.Durable.Tests;

public sealed class Add : WorkflowActivity<int, int>
{
    public override Task<int> RunAsync(WorkflowActivityContext context, int input) => Task.FromResult(input + 1);
}

public sealed class Square : WorkflowActivity<int, int>
{
    public override Task<int> RunAsync(WorkflowActivityContext context, int input) => Task.FromResult(input * input);
}

/// <summary>Fails the first N calls of each task execution id (counted in a shared, thread-safe map).</summary>
public sealed class Flaky : WorkflowActivity<object?, string>
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Calls = new();

    public override Task<string> RunAsync(WorkflowActivityContext context, object? input)
    {
        var call = Calls.AddOrUpdate(context.TaskExecutionId, 1, (_, n) => n + 1);
        return call < 3 ? throw new TimeoutException($"attempt {call} timed out") : Task.FromResult($"ok after {call}");
    }
}

public sealed class Work : WorkflowActivity<object?, object?>
{
    public override Task<object?> RunAsync(WorkflowActivityContext context, object? input) => Task.FromResult<object?>(null);
}

public sealed class ChildWorkflow : Workflow<int, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, int input) =>
        await context.CallActivityAsync<int>("Square", input);
}
