using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Tests;

public sealed class SequenceWorkflow : Workflow<int, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, int input)
    {
        var sum = 0;
        for (var i = 0; i < input; i++)
        {
            sum += await context.CallActivityAsync<int>("Add", i);
        }
        return sum;
    }
}

public sealed class FanOutWorkflow : Workflow<int, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, int input)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, input).Select(i => context.CallActivityAsync<int>("Square", i)));
        return results.Sum();
    }
}

public sealed class RetryWorkflow : Workflow<int, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, int maxAttempts)
    {
        var policy = new WorkflowRetryPolicy(maxAttempts, TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(3),
            handle: f => f.ErrorType != "Fatal");
        try
        {
            return await context.CallActivityAsync<string>("Flaky", null, new WorkflowTaskOptions(policy));
        }
        catch (WorkflowTaskFailedException ex)
        {
            return $"gave up: {ex.FailureDetails.ErrorType}: {ex.FailureDetails.ErrorMessage}";
        }
    }
}

public sealed class ParentWorkflow : Workflow<int, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, int input)
    {
        try
        {
            return await context.CallChildWorkflowAsync<int>("ChildWorkflow", input);
        }
        catch (WorkflowTaskFailedException ex) when (ex.FailureDetails.ErrorType == "Boom")
        {
            return -1;
        }
    }
}

public sealed class TimerWorkflow : Workflow<object?, DateTime>
{
    public override async Task<DateTime> RunAsync(WorkflowContext context, object? input)
    {
        await context.CreateTimer(TimeSpan.FromMinutes(5));
        return context.CurrentUtcDateTime;
    }
}

public sealed class ApprovalWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        var first = await context.WaitForExternalEventAsync<string>("Approve");
        var second = await context.WaitForExternalEventAsync<string>("approve");
        return $"{first}+{second}";
    }
}

public sealed class ApprovalWithTimeoutWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        try
        {
            return await context.WaitForExternalEventAsync<string>("Approve", TimeSpan.FromHours(1));
        }
        catch (TaskCanceledException)
        {
            return "timed out";
        }
    }
}

public sealed class CounterWorkflow : Workflow<int, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, int input)
    {
        if (input < 3)
        {
            await context.CreateTimer(TimeSpan.FromSeconds(1));
            context.ContinueAsNew(input + 1);
        }
        return input;
    }
}

public sealed class StatusWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        context.SetCustomStatus(new { Step = 1 });
        await context.CallActivityAsync("Work");
        context.SetCustomStatus(new { Step = 2 });
        await context.WaitForExternalEventAsync<object>("Go");
        return "done";
    }
}

public sealed class GuidWorkflow : Workflow<object?, string[]>
{
    public override async Task<string[]> RunAsync(WorkflowContext context, object? input)
    {
        var before = context.NewGuid();
        var timeBefore = context.CurrentUtcDateTime;
        await context.CallActivityAsync("Echo", new[] { before.ToString(), timeBefore.ToString("O") });
        return [before.ToString(), timeBefore.ToString("O"), context.NewGuid().ToString(), context.CurrentUtcDateTime.ToString("O")];
    }
}

public sealed class ChargeWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        await context.CallActivityAsync("Reserve");
        await context.CallActivityAsync("ChargeCard");
        return "charged";
    }
}

public sealed class ChangedChargeWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        await context.CallActivityAsync("Reserve");
        await context.CallActivityAsync("SendEmail");
        return "emailed";
    }
}

public sealed class ThrowingWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        await context.CallActivityAsync("Work");
        throw new InvalidOperationException("the workflow broke on purpose");
    }
}

public sealed class DelayWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        await Task.Delay(20);
        return "never";
    }
}

public sealed record OrderInput(string Item, int Quantity);

public sealed class OrderWorkflow : Workflow<OrderInput, string>
{
    public override Task<string> RunAsync(WorkflowContext context, OrderInput input) => Task.FromResult($"{input.Quantity} x {input.Item}");
}

public sealed class SendingWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string target)
    {
        context.SendEvent(target, "Ping", new { From = context.InstanceId });
        return Task.FromResult("sent");
    }
}

public sealed class LoggingWorkflow : Workflow<object?, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, object? input)
    {
        var logger = context.CreateReplaySafeLogger<LoggingWorkflow>();
        logger.LogInformation("before activity");
        await context.CallActivityAsync("Work");
        logger.LogInformation("after activity");
        await context.CallActivityAsync("Work");
        return "logged";
    }
}
