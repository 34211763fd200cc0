using Evolve.Durable.Protocol;
using Grpc.Core;
using static Evolve.Durable.Protocol.HistoryEvent;

namespace Evolve.Durable.Sidecar.Tests;

/// <summary>Timers, external events, terminate, suspend/resume, purge, continue-as-new, child workflows.</summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private SidecarFixture _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await SidecarFixture.StartAsync();
    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task Durable_timer_fires_into_the_next_turn()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        await _sidecar.StartAsync("Sleeper");
        var fireAt = DateTimeOffset.UtcNow.AddMilliseconds(400);
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.Timer(0, fireAt));
        var turn = await worker.NextWorkflowAsync();
        Assert.True(DateTimeOffset.UtcNow >= fireAt.AddMilliseconds(-5), "the timer fired early");
        var created = turn.WorkflowRequest.PastEvents.Single(e => e.EventTypeCase == EventTypeOneofCase.TimerCreated);
        Assert.Equal(0, created.EventId);
        var fired = turn.WorkflowRequest.NewEvents.Single(e => e.EventTypeCase == EventTypeOneofCase.TimerFired);
        Assert.Equal(0, fired.TimerFired.TimerId);
        Assert.Equal(-1, fired.EventId);
        Assert.Equal(fireAt.ToUnixTimeMilliseconds(), fired.TimerFired.FireAt.ToDateTimeOffset().ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Events_raised_before_the_first_turn_are_kept()
    {
        var id = await _sidecar.StartAsync("Waiter");
        await _sidecar.Client.RaiseEventAsync(new RaiseEventRequest { InstanceId = id, Name = "Approval", Input = "true" });
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var turn = await worker.NextWorkflowAsync();
        Assert.Equal([EventTypeOneofCase.WorkflowStarted, EventTypeOneofCase.ExecutionStarted, EventTypeOneofCase.EventRaised],
            turn.WorkflowRequest.NewEvents.Select(e => e.EventTypeCase));
        Assert.Equal("Approval", turn.WorkflowRequest.NewEvents[2].EventRaised.Name);
        Assert.Equal("true", turn.WorkflowRequest.NewEvents[2].EventRaised.Input);
    }

    [Fact]
    public async Task Events_raised_while_waiting_start_a_new_turn()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Waiter");
        await worker.CompleteAsync(await worker.NextWorkflowAsync());
        Assert.True(await worker.NoWorkflowWithinAsync(TimeSpan.FromMilliseconds(200)));
        await _sidecar.Client.RaiseEventAsync(new RaiseEventRequest { InstanceId = id, Name = "Go", Input = "42" });
        var turn = await worker.NextWorkflowAsync();
        Assert.Equal("42", turn.WorkflowRequest.NewEvents.Single(e => e.EventTypeCase == EventTypeOneofCase.EventRaised).EventRaised.Input);
    }

    [Fact]
    public async Task Terminate_records_the_end_drops_pending_work_and_recurses_into_children()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Parent", instanceId: "term-parent");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(),
            Actions.Activity(0, "Slow"), Actions.Child(1, "Kid", "term-child"));
        var childTurn = await worker.NextWorkflowAsync();
        Assert.Equal("term-child", childTurn.WorkflowRequest.InstanceId);
        await worker.CompleteAsync(childTurn, Actions.Timer(0, DateTimeOffset.UtcNow.AddHours(1)));
        var activity = await worker.NextActivityAsync();

        await _sidecar.Client.TerminateInstanceAsync(new TerminateRequest { InstanceId = id, Output = "\"stop\"", Recursive = true });

        var parent = await _sidecar.WaitForCompletionAsync(id);
        Assert.Equal(OrchestrationStatus.Terminated, parent.WorkflowStatus);
        Assert.Equal("\"stop\"", parent.Output);
        Assert.Equal(OrchestrationStatus.Terminated, (await _sidecar.WaitForCompletionAsync("term-child")).WorkflowStatus);
        var history = await _sidecar.HistoryAsync(id);
        Assert.Equal([EventTypeOneofCase.ExecutionTerminated, EventTypeOneofCase.ExecutionCompleted],
            history.TakeLast(2).Select(e => e.EventTypeCase));
        Assert.Equal(OrchestrationStatus.Terminated, history[^1].ExecutionCompleted.WorkflowStatus);
        // The dropped activity's result no longer has anywhere to go.
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => worker.CompleteActivityAsync(activity, "late"));
        Assert.True(await worker.NoWorkflowWithinAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Suspended_instances_get_no_turns_until_resumed()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Pausable");
        await worker.CompleteAsync(await worker.NextWorkflowAsync());
        await _sidecar.Client.SuspendInstanceAsync(new SuspendRequest { InstanceId = id, Reason = "maintenance" });
        Assert.Equal(OrchestrationStatus.Suspended, (await _sidecar.GetAsync(id)).WorkflowStatus);
        await _sidecar.Client.RaiseEventAsync(new RaiseEventRequest { InstanceId = id, Name = "Go" });
        Assert.True(await worker.NoWorkflowWithinAsync(TimeSpan.FromMilliseconds(400)));

        await _sidecar.Client.ResumeInstanceAsync(new ResumeRequest { InstanceId = id, Reason = "done" });
        Assert.Equal(OrchestrationStatus.Running, (await _sidecar.GetAsync(id)).WorkflowStatus);
        var turn = await worker.NextWorkflowAsync();
        Assert.Equal([EventTypeOneofCase.WorkflowStarted, EventTypeOneofCase.ExecutionSuspended, EventTypeOneofCase.EventRaised,
            EventTypeOneofCase.ExecutionResumed], turn.WorkflowRequest.NewEvents.Select(e => e.EventTypeCase));
        Assert.Equal("maintenance", turn.WorkflowRequest.NewEvents[1].ExecutionSuspended.Input);
    }

    [Fact]
    public async Task Purge_removes_terminal_instances_and_refuses_running_ones_unless_forced()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var done = await _sidecar.StartAsync("P", instanceId: "purge-done");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.Complete(0, "1"));
        await _sidecar.WaitForCompletionAsync(done);
        var running = await _sidecar.StartAsync("P", instanceId: "purge-running");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.Activity(0, "Work"));

        var refused = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition,
            () => _sidecar.Client.PurgeInstancesAsync(new PurgeInstancesRequest { InstanceId = running }).ResponseAsync);
        Assert.Contains("force", refused.Status.Detail);

        var purged = await _sidecar.Client.PurgeInstancesAsync(new PurgeInstancesRequest { InstanceId = done });
        Assert.Equal(1, purged.DeletedInstanceCount);
        Assert.False((await _sidecar.Client.GetInstanceAsync(new GetInstanceRequest { InstanceId = done })).Exists);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => _sidecar.HistoryAsync(done));

        var forced = await _sidecar.Client.PurgeInstancesAsync(new PurgeInstancesRequest { InstanceId = running, Force = true });
        Assert.Equal(1, forced.DeletedInstanceCount);
        var activity = await worker.NextActivityAsync();
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => worker.CompleteActivityAsync(activity, "x"));
    }

    [Fact]
    public async Task Purge_by_filter_takes_only_matching_terminal_instances_and_recursive_takes_children()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        await _sidecar.StartAsync("F", instanceId: "filter-parent");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.Child(0, "Kid", "filter-child"));
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.Complete(0, "c"));
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.Complete(1, "p"));
        await _sidecar.WaitForCompletionAsync("filter-parent");
        await _sidecar.StartAsync("F", instanceId: "filter-running");

        var request = new PurgeInstancesRequest { PurgeInstanceFilter = new PurgeInstanceFilter(), Recursive = true };
        request.PurgeInstanceFilter.RuntimeStatus.Add(OrchestrationStatus.Completed);
        var purged = await _sidecar.Client.PurgeInstancesAsync(request);
        Assert.Equal(2, purged.DeletedInstanceCount);
        Assert.True(purged.IsComplete);
        var ids = await _sidecar.Client.ListInstanceIDsAsync(new ListInstanceIDsRequest());
        Assert.Equal(["filter-running"], ids.InstanceIds);
    }

    [Fact]
    public async Task Continue_as_new_resets_history_and_carries_events_over()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Counter", "0");
        var first = await worker.NextWorkflowAsync();
        var oldExecution = first.WorkflowRequest.ExecutionId;
        var carry = new HistoryEvent { EventId = -1, Timestamp = first.WorkflowRequest.NewEvents[0].Timestamp,
            EventRaised = new EventRaisedEvent { Name = "Carried", Input = "\"c\"" } };
        var complete = Actions.Complete(0, "1", OrchestrationStatus.ContinuedAsNew);
        complete.CompleteWorkflow.CarryoverEvents.Add(carry);
        await worker.CompleteAsync(first, complete);

        var second = await worker.NextWorkflowAsync();
        var request = second.WorkflowRequest;
        Assert.NotEqual(oldExecution, request.ExecutionId);
        Assert.Empty(request.PastEvents);
        Assert.Equal([EventTypeOneofCase.WorkflowStarted, EventTypeOneofCase.ExecutionStarted, EventTypeOneofCase.EventRaised],
            request.NewEvents.Select(e => e.EventTypeCase));
        Assert.Equal("1", request.NewEvents[1].ExecutionStarted.Input);
        Assert.Equal(request.ExecutionId, request.NewEvents[1].ExecutionStarted.WorkflowInstance.ExecutionId);
        Assert.Equal("Carried", request.NewEvents[2].EventRaised.Name);
        var state = await _sidecar.GetAsync(id);
        Assert.Equal(OrchestrationStatus.Running, state.WorkflowStatus);
        Assert.Equal("1", state.Input);
        Assert.Equal(request.ExecutionId, state.ExecutionId);

        await worker.CompleteAsync(second, Actions.Complete(0, "final"));
        Assert.Equal("final", (await _sidecar.WaitForCompletionAsync(id)).Output);
        var history = await _sidecar.HistoryAsync(id);
        Assert.Equal(EventTypeOneofCase.WorkflowStarted, history[0].EventTypeCase);
        Assert.Equal("1", history[1].ExecutionStarted.Input);
    }

    [Fact]
    public async Task Child_completion_and_failure_reach_the_parent()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Parent", instanceId: "family");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(),
            Actions.Child(0, "Good", "family-good", "\"in\""), Actions.Child(1, "Bad", "family-bad"));

        var kids = new[] { await worker.NextWorkflowAsync(), await worker.NextWorkflowAsync() }
            .ToDictionary(k => k.WorkflowRequest.InstanceId);
        var goodStart = kids["family-good"].WorkflowRequest.NewEvents[1].ExecutionStarted;
        Assert.Equal("Good", goodStart.Name);
        Assert.Equal("\"in\"", goodStart.Input);
        Assert.Equal(0, goodStart.ParentInstance.TaskScheduledId);
        Assert.Equal(id, goodStart.ParentInstance.WorkflowInstance.InstanceId);
        Assert.Equal(1, kids["family-bad"].WorkflowRequest.NewEvents[1].ExecutionStarted.ParentInstance.TaskScheduledId);
        Assert.Equal(id, (await _sidecar.GetAsync("family-good")).ParentInstanceId);

        await worker.CompleteAsync(kids["family-good"], Actions.Complete(0, "\"ok\""));
        await worker.CompleteAsync(kids["family-bad"], Actions.Complete(0, null, OrchestrationStatus.Failed,
            new TaskFailureDetails { ErrorType = "Oops", ErrorMessage = "child broke" }));

        var seen = new List<HistoryEvent>();
        while (seen.Count < 2)
        {
            var turn = await worker.NextWorkflowAsync();
            seen.AddRange(turn.WorkflowRequest.NewEvents.Where(e => e.EventTypeCase is EventTypeOneofCase.ChildWorkflowInstanceCompleted
                or EventTypeOneofCase.ChildWorkflowInstanceFailed));
            await worker.CompleteAsync(turn);
        }
        var completed = seen.Single(e => e.EventTypeCase == EventTypeOneofCase.ChildWorkflowInstanceCompleted).ChildWorkflowInstanceCompleted;
        Assert.Equal(0, completed.TaskScheduledId);
        Assert.Equal("\"ok\"", completed.Result);
        var failed = seen.Single(e => e.EventTypeCase == EventTypeOneofCase.ChildWorkflowInstanceFailed).ChildWorkflowInstanceFailed;
        Assert.Equal(1, failed.TaskScheduledId);
        Assert.Equal("child broke", failed.FailureDetails.ErrorMessage);
        var history = await _sidecar.HistoryAsync(id);
        Assert.Equal([0, 1], history.Where(e => e.EventTypeCase == EventTypeOneofCase.ChildWorkflowInstanceCreated).Select(e => e.EventId));
    }

    [Fact]
    public async Task Send_event_action_delivers_to_the_target_instance()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var target = await _sidecar.StartAsync("Target", instanceId: "target");
        await worker.CompleteAsync(await worker.NextWorkflowAsync());
        await _sidecar.StartAsync("Sender", instanceId: "sender");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.SendEvent(0, target, "Hello", "\"hi\""), Actions.Complete(1, null));
        var turn = await worker.NextWorkflowAsync();
        Assert.Equal(target, turn.WorkflowRequest.InstanceId);
        Assert.Equal("\"hi\"", turn.WorkflowRequest.NewEvents.Single(e => e.EventTypeCase == EventTypeOneofCase.EventRaised).EventRaised.Input);
        Assert.Equal(0, (await _sidecar.HistoryAsync("sender")).Single(e => e.EventTypeCase == EventTypeOneofCase.EventSent).EventId);
    }

    [Fact]
    public async Task Scheduled_start_delays_the_first_turn_and_wait_for_start_long_polls()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var startAt = DateTimeOffset.UtcNow.AddMilliseconds(600);
        var id = (await _sidecar.Client.StartInstanceAsync(new CreateInstanceRequest
        {
            Name = "Later", ScheduledStartTimestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(startAt),
        })).InstanceId;
        var waitForStart = _sidecar.Client.WaitForInstanceStartAsync(new GetInstanceRequest { InstanceId = id },
            deadline: DateTime.UtcNow + SidecarFixture.Patience).ResponseAsync;
        var turn = await worker.NextWorkflowAsync();
        Assert.True(DateTimeOffset.UtcNow >= startAt.AddMilliseconds(-5), "the first turn came before the scheduled start");
        Assert.False(waitForStart.IsCompleted);
        await worker.CompleteAsync(turn);
        Assert.Equal(OrchestrationStatus.Running, (await waitForStart).WorkflowState.WorkflowStatus);
    }
}
