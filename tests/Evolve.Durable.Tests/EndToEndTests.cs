using Evolve.Durable.Client;
using Evolve.Durable.Hosting;

namespace Evolve.Durable.Tests;

/// <summary>Worker + client + embedded sidecar over real loopback gRPC and a real SQLite file.</summary>
public sealed class EndToEndTests
{
    private static void RegisterAll(DurableRegistry r) => r
        .AddWorkflow<SequenceWorkflow>().AddWorkflow<FanOutWorkflow>().AddWorkflow<RetryWorkflow>()
        .AddWorkflow<ParentWorkflow>().AddWorkflow<ChildWorkflow>().AddWorkflow<ApprovalWorkflow>()
        .AddWorkflow<StatusWorkflow>().AddWorkflow<OrderWorkflow>().AddWorkflow<TimerWorkflow>()
        .AddActivity<Add>().AddActivity<Square>().AddActivity<Flaky>().AddActivity<Work>();

    [Fact]
    public async Task Sequence_fan_out_child_and_retry_workflows_complete_through_the_embedded_sidecar()
    {
        await using var host = await DurableTestHost.StartAsync(RegisterAll);
        var client = host.Client;

        var sequence = await client.ScheduleNewWorkflowAsync("SequenceWorkflow", "seq-1", 10);
        var fanOut = await client.ScheduleNewWorkflowAsync("FanOutWorkflow", "fan-1", 100);
        var parent = await client.ScheduleNewWorkflowAsync("ParentWorkflow", "parent-1", 6);
        var retry = await client.ScheduleNewWorkflowAsync("RetryWorkflow", "retry-1", 3);

        var sequenceState = await host.WaitForCompletionAsync(sequence);
        Assert.Equal(WorkflowRuntimeStatus.Completed, sequenceState.RuntimeStatus);
        Assert.Equal(55, sequenceState.ReadOutputAs<int>());
        Assert.Equal(10, sequenceState.ReadInputAs<int>());

        Assert.Equal(Enumerable.Range(0, 100).Sum(i => i * i), (await host.WaitForCompletionAsync(fanOut)).ReadOutputAs<int>());
        Assert.Equal(36, (await host.WaitForCompletionAsync(parent)).ReadOutputAs<int>());
        Assert.Equal("ok after 3", (await host.WaitForCompletionAsync(retry)).ReadOutputAs<string>());

        var history = await client.GetHistoryAsync(retry);
        Assert.Equal(3, history.Count(e => e.TaskScheduled is not null));
        Assert.Equal(2, history.Count(e => e.TimerCreated?.ActivityRetry is not null));
        var timeline = WorkflowHistoryFormatter.FormatTimeline(history);
        Assert.Contains("TaskScheduled", timeline);
        Assert.Contains("Flaky", timeline);
        Assert.Contains("attempt 1 timed out", timeline);
    }

    [Fact]
    public async Task Management_calls_start_idempotently_raise_suspend_resume_terminate_list_and_purge()
    {
        await using var host = await DurableTestHost.StartAsync(RegisterAll);
        var client = host.Client;

        var id = await client.ScheduleNewWorkflowAsync("ApprovalWorkflow", "approval-1");
        await Assert.ThrowsAsync<WorkflowAlreadyExistsException>(() => client.ScheduleNewWorkflowAsync("ApprovalWorkflow", "approval-1"));
        Assert.Equal(id, await client.ScheduleNewWorkflowAsync("ApprovalWorkflow", "approval-1", ifExists: ExistingInstanceBehavior.ReturnExisting));

        var started = await client.WaitForWorkflowStartAsync(id);
        Assert.NotEqual(WorkflowRuntimeStatus.Pending, started.RuntimeStatus);
        await client.RaiseEventAsync(id, "Approve", "alice");
        await client.SuspendWorkflowAsync(id, "maintenance");
        Assert.Equal(WorkflowRuntimeStatus.Suspended, (await client.GetWorkflowStateAsync(id))!.RuntimeStatus);
        await client.RaiseEventAsync(id, "approve", "bob");
        await client.ResumeWorkflowAsync(id);
        var done = await host.WaitForCompletionAsync(id);
        Assert.Equal("alice+bob", done.ReadOutputAs<string>());

        var waiting = await client.ScheduleNewWorkflowAsync("ApprovalWorkflow", "approval-2");
        await client.WaitForWorkflowStartAsync(waiting);
        await client.TerminateWorkflowAsync(waiting, "no longer needed");
        var terminated = await host.WaitForCompletionAsync(waiting);
        Assert.Equal(WorkflowRuntimeStatus.Terminated, terminated.RuntimeStatus);
        Assert.Equal("no longer needed", terminated.ReadOutputAs<string>());

        var ids = new List<string>();
        await foreach (var instance in client.ListInstanceIdsAsync(pageSize: 1)) ids.Add(instance);
        Assert.Contains("approval-1", ids);
        Assert.Contains("approval-2", ids);

        Assert.True(await client.PurgeInstanceAsync(id));
        Assert.Null(await client.GetWorkflowStateAsync(id));
    }

    [Fact]
    public async Task Failures_are_recorded_with_clear_error_types()
    {
        await using var host = await DurableTestHost.StartAsync(RegisterAll);
        var client = host.Client;

        var unknownWorkflow = await client.ScheduleNewWorkflowAsync("NoSuchWorkflow");
        var failed = await host.WaitForCompletionAsync(unknownWorkflow);
        Assert.Equal(WorkflowRuntimeStatus.Failed, failed.RuntimeStatus);
        Assert.Equal("WorkflowNotRegistered", failed.FailureDetails!.ErrorType);

        var badInput = await client.ScheduleNewWorkflowAsync("OrderWorkflow", input: new { Item = 3, Quantity = "lots" });
        Assert.Equal("InvalidWorkflowInput", (await host.WaitForCompletionAsync(badInput)).FailureDetails!.ErrorType);

        var unknownActivity = await client.ScheduleNewWorkflowAsync("ParentWorkflow", input: 2); // child calls Square: registered
        Assert.Equal(WorkflowRuntimeStatus.Completed, (await host.WaitForCompletionAsync(unknownActivity)).RuntimeStatus);
    }
}
