using Evolve.Durable.Protocol;
using Grpc.Core;
using static Evolve.Durable.Protocol.HistoryEvent;

namespace Evolve.Durable.Sidecar.Tests;

/// <summary>The core loop of the contract: turns, activities, event ids, history.</summary>
public sealed class WorkflowTurnTests : IAsyncLifetime
{
    private SidecarFixture _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await SidecarFixture.StartAsync();
    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task Activity_round_trip_follows_the_contract()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Greeter", "\"world\"", "greet-1");
        Assert.Equal("greet-1", id);

        var first = await worker.NextWorkflowAsync();
        var request = first.WorkflowRequest;
        Assert.Equal(id, request.InstanceId);
        Assert.Empty(request.PastEvents);
        Assert.Equal([EventTypeOneofCase.WorkflowStarted, EventTypeOneofCase.ExecutionStarted],
            request.NewEvents.Select(e => e.EventTypeCase));
        var started = request.NewEvents[1].ExecutionStarted;
        Assert.Equal("Greeter", started.Name);
        Assert.Equal("\"world\"", started.Input);
        Assert.Equal(id, started.WorkflowInstance.InstanceId);
        Assert.Equal(request.ExecutionId, started.WorkflowInstance.ExecutionId);
        Assert.All(request.NewEvents, e => Assert.Equal(-1, e.EventId));
        Assert.All(request.NewEvents, e => Assert.NotNull(e.Timestamp));
        Assert.False(string.IsNullOrEmpty(first.CompletionToken));

        await worker.CompleteAsync(first, Actions.Activity(0, "SayHello", "\"world\""));
        Assert.Equal(OrchestrationStatus.Running, (await _sidecar.GetAsync(id)).WorkflowStatus);

        var activity = await worker.NextActivityAsync();
        Assert.Equal("SayHello", activity.ActivityRequest.Name);
        Assert.Equal("\"world\"", activity.ActivityRequest.Input);
        Assert.Equal(0, activity.ActivityRequest.TaskId);
        Assert.Equal(id, activity.ActivityRequest.WorkflowInstance.InstanceId);
        Assert.StartsWith("exec-0-", activity.ActivityRequest.TaskExecutionId);
        await worker.CompleteActivityAsync(activity, "\"hello world\"");

        var second = await worker.NextWorkflowAsync();
        Assert.Equal([EventTypeOneofCase.WorkflowStarted, EventTypeOneofCase.ExecutionStarted, EventTypeOneofCase.TaskScheduled],
            second.WorkflowRequest.PastEvents.Select(e => e.EventTypeCase));
        Assert.Equal(0, second.WorkflowRequest.PastEvents[2].EventId);
        Assert.Equal([EventTypeOneofCase.WorkflowStarted, EventTypeOneofCase.TaskCompleted],
            second.WorkflowRequest.NewEvents.Select(e => e.EventTypeCase));
        var completed = second.WorkflowRequest.NewEvents[1];
        Assert.Equal(-1, completed.EventId);
        Assert.Equal(0, completed.TaskCompleted.TaskScheduledId);
        Assert.Equal("\"hello world\"", completed.TaskCompleted.Result);
        Assert.Equal(activity.ActivityRequest.TaskExecutionId, completed.TaskCompleted.TaskExecutionId);

        await worker.CompleteAsync(second, Actions.Complete(1, "\"hello world\""));
        var state = await _sidecar.WaitForCompletionAsync(id);
        Assert.Equal(OrchestrationStatus.Completed, state.WorkflowStatus);
        Assert.Equal("\"hello world\"", state.Output);
        Assert.Equal("\"world\"", state.Input);
        Assert.NotNull(state.CompletedTimestamp);

        var history = await _sidecar.HistoryAsync(id);
        Assert.Equal([
            EventTypeOneofCase.WorkflowStarted, EventTypeOneofCase.ExecutionStarted, EventTypeOneofCase.TaskScheduled,
            EventTypeOneofCase.WorkflowStarted, EventTypeOneofCase.TaskCompleted, EventTypeOneofCase.ExecutionCompleted,
        ], history.Select(e => e.EventTypeCase));
        Assert.Equal([-1, -1, 0, -1, -1, 1], history.Select(e => e.EventId));
    }

    [Fact]
    public async Task Activity_failure_reaches_the_workflow_as_TaskFailed()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Failing");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.Activity(0, "Boom"));
        var activity = await worker.NextActivityAsync();
        await worker.CompleteActivityAsync(activity, null, new TaskFailureDetails { ErrorType = "InvalidOperationException", ErrorMessage = "boom" });
        var turn = await worker.NextWorkflowAsync();
        var failed = turn.WorkflowRequest.NewEvents.Single(e => e.EventTypeCase == EventTypeOneofCase.TaskFailed).TaskFailed;
        Assert.Equal(0, failed.TaskScheduledId);
        Assert.Equal("boom", failed.FailureDetails.ErrorMessage);
        await worker.CompleteAsync(turn, Actions.Complete(1, null, OrchestrationStatus.Failed,
            new TaskFailureDetails { ErrorType = "TaskFailedException", ErrorMessage = "activity Boom failed" }));
        var state = await _sidecar.WaitForCompletionAsync(id);
        Assert.Equal(OrchestrationStatus.Failed, state.WorkflowStatus);
        Assert.Equal("activity Boom failed", state.FailureDetails.ErrorMessage);
    }

    [Fact]
    public async Task Fan_out_of_100_activities_is_dispatched_and_fanned_in()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("FanOut");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(),
            Enumerable.Range(0, 100).Select(i => Actions.Activity(i, "Square", i.ToString())).ToArray());

        var activities = new List<WorkItem>();
        for (var i = 0; i < 100; i++)
            activities.Add(await worker.NextActivityAsync());
        Assert.Equal(Enumerable.Range(0, 100), activities.Select(a => a.ActivityRequest.TaskId).Order());
        await Task.WhenAll(activities.Select(a =>
            worker.CompleteActivityAsync(a, (int.Parse(a.ActivityRequest.Input) * int.Parse(a.ActivityRequest.Input)).ToString())));

        // The results may arrive over several turns; collect them until all 100 were seen.
        var results = new Dictionary<int, string>();
        var nextId = 100;
        while (results.Count < 100)
        {
            var turn = await worker.NextWorkflowAsync();
            foreach (var e in turn.WorkflowRequest.NewEvents.Where(e => e.EventTypeCase == EventTypeOneofCase.TaskCompleted))
                results.Add(e.TaskCompleted.TaskScheduledId, e.TaskCompleted.Result);
            await worker.CompleteAsync(turn, results.Count == 100 ? [Actions.Complete(nextId++, results.Values.Sum(int.Parse).ToString())] : []);
        }
        var state = await _sidecar.WaitForCompletionAsync(id);
        Assert.Equal(Enumerable.Range(0, 100).Sum(i => i * i).ToString(), state.Output);
        var history = await _sidecar.HistoryAsync(id);
        Assert.Equal(100, history.Count(e => e.EventTypeCase == EventTypeOneofCase.TaskScheduled));
        Assert.Equal(100, history.Count(e => e.EventTypeCase == EventTypeOneofCase.TaskCompleted));
    }

    [Fact]
    public async Task Custom_status_in_a_response_replaces_the_instance_status()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Status");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), "\"step 1\"", Actions.Timer(0, DateTimeOffset.UtcNow.AddMinutes(10)));
        Assert.Equal("\"step 1\"", (await _sidecar.GetAsync(id)).CustomStatus);
        await _sidecar.Client.RaiseEventAsync(new RaiseEventRequest { InstanceId = id, Name = "go" });
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), "\"step 2\"", Actions.Complete(1, null));
        var state = await _sidecar.WaitForCompletionAsync(id);
        Assert.Equal("\"step 2\"", state.CustomStatus);
    }

    [Fact]
    public async Task Starting_an_existing_id_is_refused_with_ALREADY_EXISTS()
    {
        await _sidecar.StartAsync("Once", instanceId: "only-once");
        var ex = await RpcAssert.ThrowsAsync(StatusCode.AlreadyExists, () => _sidecar.StartAsync("Once", instanceId: "only-once"));
        Assert.Contains("only-once", ex.Status.Detail);
        var generated = await _sidecar.StartAsync("Once");
        Assert.False(string.IsNullOrEmpty(generated));
        Assert.NotEqual("only-once", generated);
    }

    [Fact]
    public async Task A_second_turn_is_never_in_flight_while_one_is_outstanding()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Busy");
        var first = await worker.NextWorkflowAsync();
        await _sidecar.Client.RaiseEventAsync(new RaiseEventRequest { InstanceId = id, Name = "ping", Input = "1" });
        Assert.True(await worker.NoWorkflowWithinAsync(TimeSpan.FromMilliseconds(300)));
        await worker.CompleteAsync(first);
        var second = await worker.NextWorkflowAsync();
        Assert.Equal("ping", second.WorkflowRequest.NewEvents.Single(e => e.EventTypeCase == EventTypeOneofCase.EventRaised).EventRaised.Name);
        Assert.Equal(2, second.WorkflowRequest.PastEvents.Count);
    }

    [Fact]
    public async Task Stateful_workers_receive_only_the_history_they_do_not_hold()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync(WorkerCapability.StatefulHistory);
        var id = await _sidecar.StartAsync("Stateful");
        var first = await worker.NextWorkflowAsync();
        Assert.Null(first.WorkflowRequest.CachedHistory);
        await worker.CompleteAsync(first, Actions.Activity(0, "A"));
        await worker.CompleteActivityAsync(await worker.NextActivityAsync(), "1");
        var second = await worker.NextWorkflowAsync();
        Assert.Equal(2, second.WorkflowRequest.CachedHistory.EventCount);
        Assert.Equal([EventTypeOneofCase.TaskScheduled], second.WorkflowRequest.PastEvents.Select(e => e.EventTypeCase));
        await worker.CompleteAsync(second, Actions.Complete(1, "done"));
        Assert.Equal("done", (await _sidecar.WaitForCompletionAsync(id)).Output);
    }
}
