using System.Collections.Concurrent;
using Evolve.Durable;
using Evolve.Durable.Client;

namespace Evolve.Durable.Tests.Conformance;

// Workflows and activities exercised by the conformance suite. Each is small and checks one
// behaviour of the runtime end to end (worker ⇄ gRPC ⇄ embedded sidecar ⇄ SQLite).

public sealed class EchoActivity : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input) => Task.FromResult($"echo:{input}");
}

public sealed class SquareActivity : WorkflowActivity<int, int>
{
    public override Task<int> RunAsync(WorkflowActivityContext context, int input) => Task.FromResult(input * input);
}

public sealed class FailingActivity : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input) =>
        throw new InvalidOperationException($"boom: {input}");
}

/// <summary>Fails until it has been called <c>FailuresBeforeSuccess</c> times for a key; counts calls with timestamps.</summary>
public sealed class FlakyActivity : WorkflowActivity<FlakyInput, int>
{
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<DateTime>> Calls = new();

    public override Task<int> RunAsync(WorkflowActivityContext context, FlakyInput input)
    {
        var calls = Calls.GetOrAdd(input.Key, _ => new ConcurrentQueue<DateTime>());
        calls.Enqueue(DateTime.UtcNow);
        if (calls.Count <= input.FailuresBeforeSuccess)
            throw new TimeoutException($"transient failure {calls.Count} for {input.Key}");
        return Task.FromResult(calls.Count);
    }
}

public sealed record FlakyInput(string Key, int FailuresBeforeSuccess, int MaxAttempts);

public sealed class SequenceWorkflow : Workflow<int, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, int input)
    {
        var parts = new List<string>();
        for (var i = 0; i < input; i++)
            parts.Add(await context.CallActivityAsync<string>(nameof(EchoActivity), $"{i}"));
        return string.Join(",", parts);
    }
}

public sealed class FanOutWorkflow : Workflow<int, long>
{
    public override async Task<long> RunAsync(WorkflowContext context, int input)
    {
        var tasks = Enumerable.Range(1, input).Select(i => context.CallActivityAsync<int>(nameof(SquareActivity), i));
        var squares = await Task.WhenAll(tasks);
        return squares.Sum(s => (long)s);
    }
}

public sealed class RetryWorkflow : Workflow<FlakyInput, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, FlakyInput input)
    {
        var options = new WorkflowTaskOptions(new WorkflowRetryPolicy(
            maxNumberOfAttempts: input.MaxAttempts,
            firstRetryInterval: TimeSpan.FromMilliseconds(100),
            backoffCoefficient: 2.0,
            maxRetryInterval: TimeSpan.FromSeconds(1)));
        try
        {
            var calls = await context.CallActivityAsync<int>(nameof(FlakyActivity), input, options);
            return $"ok after {calls}";
        }
        catch (WorkflowTaskFailedException e)
        {
            return $"gave up: {e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage}";
        }
    }
}

/// <summary>Catches the activity failure when asked to, otherwise lets it fail the workflow.</summary>
public sealed class ActivityFailureWorkflow : Workflow<bool, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, bool catchIt)
    {
        if (!catchIt) return await context.CallActivityAsync<string>(nameof(FailingActivity), "uncaught");
        try
        {
            return await context.CallActivityAsync<string>(nameof(FailingActivity), "caught");
        }
        catch (WorkflowTaskFailedException e)
        {
            return $"caught {e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage}";
        }
    }
}

public sealed class ParentWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string mode)
    {
        if (mode == "ok")
            return "child said " + await context.CallChildWorkflowAsync<string>(nameof(SequenceWorkflow), 3);
        try
        {
            await context.CallChildWorkflowAsync<string>(nameof(ActivityFailureWorkflow), false);
            return "unexpected success";
        }
        catch (WorkflowTaskFailedException e)
        {
            return $"child failed: {e.FailureDetails.ErrorMessage}";
        }
    }
}

public sealed record TimerResult(DateTime Before, DateTime After);

public sealed class TimerWorkflow : Workflow<int, TimerResult>
{
    public override async Task<TimerResult> RunAsync(WorkflowContext context, int milliseconds)
    {
        var before = context.CurrentUtcDateTime;
        await context.CreateTimer(TimeSpan.FromMilliseconds(milliseconds));
        return new TimerResult(before, context.CurrentUtcDateTime);
    }
}

public sealed record WaitInput(string EventName, int TimeoutMs, int DelayBeforeWaitMs);

public sealed class WaitForEventWorkflow : Workflow<WaitInput, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, WaitInput input)
    {
        if (input.DelayBeforeWaitMs > 0) await context.CreateTimer(TimeSpan.FromMilliseconds(input.DelayBeforeWaitMs));
        context.SetCustomStatus("waiting");
        try
        {
            var payload = await context.WaitForExternalEventAsync<string>(input.EventName, TimeSpan.FromMilliseconds(input.TimeoutMs));
            context.SetCustomStatus("received");
            return $"got {payload}";
        }
        catch (Exception e) when (e is TimeoutException or TaskCanceledException)
        {
            return "timed out";
        }
    }
}

public sealed record CounterState(int Count, int Target, List<string> Seen);

/// <summary>Counts to a target through continue-as-new, collecting "ping" events as it goes.</summary>
public sealed class ContinueAsNewWorkflow : Workflow<CounterState, CounterState>
{
    public override async Task<CounterState> RunAsync(WorkflowContext context, CounterState state)
    {
        var seen = await context.CallActivityAsync<string>(nameof(EchoActivity), $"{state.Count}");
        var next = state with { Count = state.Count + 1, Seen = [.. state.Seen, seen] };
        if (next.Count >= next.Target) return next;
        context.ContinueAsNew(next);
        return next;
    }
}

public sealed class CustomStatusWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        context.SetCustomStatus(new { phase = "started", input });
        await context.WaitForExternalEventAsync<string>("go", TimeSpan.FromMinutes(5));
        context.SetCustomStatus(new { phase = "finishing", input });
        return "done";
    }
}

/// <summary>First version of a workflow whose code later changes under the same name.</summary>
public sealed class VersionedWorkflowV1 : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        var a = await context.CallActivityAsync<string>(nameof(EchoActivity), "first");
        await context.WaitForExternalEventAsync<string>("continue", TimeSpan.FromMinutes(5));
        return a + await context.CallActivityAsync<string>(nameof(EchoActivity), "second");
    }
}

/// <summary>The "edited" code: the first step now calls a different activity.</summary>
public sealed class VersionedWorkflowV2 : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        var a = await context.CallActivityAsync<int>(nameof(SquareActivity), 7);
        await context.WaitForExternalEventAsync<string>("continue", TimeSpan.FromMinutes(5));
        return a + "!";
    }
}

public sealed class UnknownActivityWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        try
        {
            return await context.CallActivityAsync<string>("NoSuchActivity", input);
        }
        catch (WorkflowTaskFailedException e)
        {
            return $"{e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage}";
        }
    }
}

public sealed record NumberInput(int Value);

public sealed class TypedInputWorkflow : Workflow<NumberInput, int>
{
    public override Task<int> RunAsync(WorkflowContext context, NumberInput input) => Task.FromResult(input.Value * 2);
}
