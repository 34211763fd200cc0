using Evolve.Durable.Client;

namespace Evolve.Durable.Tests;

public sealed class ShortTimeoutWorkflow : Workflow<double, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, double seconds)
    {
        try
        {
            return await context.WaitForExternalEventAsync<string>("Approve", TimeSpan.FromSeconds(seconds));
        }
        catch (TaskCanceledException)
        {
            return "timed out";
        }
    }
}

/// <summary>Durable timers, continue-as-new and custom status through the embedded sidecar.</summary>
public sealed class EndToEndTimingTests
{
    [Fact]
    public async Task Timers_event_timeouts_continue_as_new_and_custom_status_work_end_to_end()
    {
        await using var host = await DurableTestHost.StartAsync(r => r
            .AddWorkflow<CounterWorkflow>().AddWorkflow<ShortTimeoutWorkflow>().AddWorkflow<StatusWorkflow>().AddActivity<Work>());
        var client = host.Client;

        var counter = await client.ScheduleNewWorkflowAsync("CounterWorkflow", "counter-1", 1);
        var timeout = await client.ScheduleNewWorkflowAsync("ShortTimeoutWorkflow", "timeout-1", 1.0);
        var answered = await client.ScheduleNewWorkflowAsync("ShortTimeoutWorkflow", "answered-1", 120.0);
        var status = await client.ScheduleNewWorkflowAsync("StatusWorkflow", "status-1");

        await client.RaiseEventAsync(answered, "Approve", "yes");
        Assert.Equal("yes", (await host.WaitForCompletionAsync(answered)).ReadOutputAs<string>());
        Assert.Equal("timed out", (await host.WaitForCompletionAsync(timeout)).ReadOutputAs<string>());

        var counted = await host.WaitForCompletionAsync(counter);
        Assert.Equal(WorkflowRuntimeStatus.Completed, counted.RuntimeStatus);
        Assert.Equal(3, counted.ReadOutputAs<int>());
        Assert.Equal(3, counted.ReadInputAs<int>()); // the last execution's input

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await client.GetWorkflowStateAsync(status))?.ReadCustomStatusAs<StepStatus>()?.Step != 2)
        {
            await Task.Delay(50, patience.Token);
        }
        await client.RaiseEventAsync(status, "Go", 1);
        var done = await host.WaitForCompletionAsync(status);
        Assert.Equal("done", done.ReadOutputAs<string>());
        Assert.Equal(2, done.ReadCustomStatusAs<StepStatus>()!.Step);
    }

    private sealed record StepStatus(int Step);
}
