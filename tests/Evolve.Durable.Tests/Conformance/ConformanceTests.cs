using Evolve.Durable.Client;
using Evolve.Durable.Protocol;
using WorkflowState = Evolve.Durable.Client.WorkflowState;
using Grpc.Core;

namespace Evolve.Durable.Tests.Conformance;

/// <summary>
/// The runtime's conformance suite: real workflows through the worker, real gRPC on loopback, the
/// embedded sidecar and its SQLite store. Timeouts are generous because the machine may be busy.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class ConformanceTests(SharedDurableEnvironment shared)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private DurableWorkflowClient Client => shared.Environment.Client;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private async Task<WorkflowState> RunAsync(string workflow, object? input, string? id = null)
    {
        using var cts = new CancellationTokenSource(Patience);
        id = await Client.ScheduleNewWorkflowAsync(workflow, id ?? NewId(workflow), input, cancellationToken: cts.Token);
        return await Client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, cancellationToken: cts.Token);
    }

    [Fact]
    public async Task Activity_sequence_runs_in_order_and_returns_the_output()
    {
        var state = await RunAsync(nameof(SequenceWorkflow), 5);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal("echo:0,echo:1,echo:2,echo:3,echo:4", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Fan_out_of_100_activities_fans_back_in()
    {
        var state = await RunAsync(nameof(FanOutWorkflow), 100);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(Enumerable.Range(1, 100).Sum(i => (long)i * i), state.ReadOutputAs<long>());

        var history = await Client.GetHistoryAsync(state.InstanceId);
        Assert.Equal(100, history.Count(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskScheduled));
        Assert.Equal(100, history.Count(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskCompleted));
    }

    [Fact]
    public async Task Retries_back_off_and_then_succeed()
    {
        var key = NewId("flaky");
        var state = await RunAsync(nameof(RetryWorkflow), new FlakyInput(key, FailuresBeforeSuccess: 2, MaxAttempts: 4));
        Assert.Equal("ok after 3", state.ReadOutputAs<string>());

        var calls = FlakyActivity.Calls[key].ToArray();
        Assert.Equal(3, calls.Length);
        // First interval 100 ms, then 200 ms (coefficient 2): gaps at least the configured back-off.
        Assert.True(calls[1] - calls[0] >= TimeSpan.FromMilliseconds(90), $"first gap {calls[1] - calls[0]}");
        Assert.True(calls[2] - calls[1] >= TimeSpan.FromMilliseconds(190), $"second gap {calls[2] - calls[1]}");

        var history = await Client.GetHistoryAsync(state.InstanceId);
        Assert.Equal(2, history.Count(e => e.TimerCreated?.ActivityRetry is not null));
        Assert.Equal(2, history.Count(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskFailed));
    }

    [Fact]
    public async Task Retries_give_up_after_max_attempts_and_surface_the_failure()
    {
        var key = NewId("hopeless");
        var state = await RunAsync(nameof(RetryWorkflow), new FlakyInput(key, FailuresBeforeSuccess: 100, MaxAttempts: 3));
        Assert.Equal(3, FlakyActivity.Calls[key].Count);
        var output = state.ReadOutputAs<string>()!;
        Assert.StartsWith("gave up:", output);
        Assert.Contains("TimeoutException", output);
        Assert.Contains("transient failure 3", output);
    }

    [Fact]
    public async Task Activity_failure_can_be_caught_by_the_workflow()
    {
        var state = await RunAsync(nameof(ActivityFailureWorkflow), true);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Contains("InvalidOperationException", state.ReadOutputAs<string>());
        Assert.Contains("boom: caught", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Uncaught_activity_failure_fails_the_workflow_with_details()
    {
        var state = await RunAsync(nameof(ActivityFailureWorkflow), false);
        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.NotNull(state.FailureDetails);
        Assert.Contains("boom: uncaught", state.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public async Task Child_workflow_result_reaches_the_parent()
    {
        var state = await RunAsync(nameof(ParentWorkflow), "ok");
        Assert.Equal("child said echo:0,echo:1,echo:2", state.ReadOutputAs<string>());
        var history = await Client.GetHistoryAsync(state.InstanceId);
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated);
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCompleted);
    }

    [Fact]
    public async Task Child_workflow_failure_reaches_the_parent()
    {
        var state = await RunAsync(nameof(ParentWorkflow), "fail");
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.StartsWith("child failed:", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Durable_timer_waits_at_least_its_delay()
    {
        var state = await RunAsync(nameof(TimerWorkflow), 700);
        var result = state.ReadOutputAs<TimerResult>()!;
        Assert.True(result.After - result.Before >= TimeSpan.FromMilliseconds(700), $"waited {result.After - result.Before}");
        var history = await Client.GetHistoryAsync(state.InstanceId);
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TimerFired);
    }

    [Fact]
    public async Task External_event_raised_after_the_workflow_waits_is_received()
    {
        using var cts = new CancellationTokenSource(Patience);
        var id = await Client.ScheduleNewWorkflowAsync(nameof(WaitForEventWorkflow), NewId("wait-after"),
            new WaitInput("approve", 60_000, 0), cancellationToken: cts.Token);
        await WaitForCustomStatusAsync(id, "waiting", cts.Token);
        await Client.RaiseEventAsync(id, "approve", "yes", cts.Token);
        var state = await Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);
        Assert.Equal("got yes", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task External_event_raised_before_the_workflow_waits_is_kept()
    {
        using var cts = new CancellationTokenSource(Patience);
        var id = await Client.ScheduleNewWorkflowAsync(nameof(WaitForEventWorkflow), NewId("wait-before"),
            new WaitInput("approve", 60_000, DelayBeforeWaitMs: 1500), cancellationToken: cts.Token);
        await Client.WaitForWorkflowStartAsync(id, false, cts.Token);
        await Client.RaiseEventAsync(id, "approve", "early", cts.Token);
        var state = await Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);
        Assert.Equal("got early", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task External_event_wait_times_out()
    {
        var state = await RunAsync(nameof(WaitForEventWorkflow), new WaitInput("never", 500, 0));
        Assert.Equal("timed out", state.ReadOutputAs<string>());
        var history = await Client.GetHistoryAsync(state.InstanceId);
        Assert.Contains(history, e => e.TimerCreated?.ExternalEvent?.Name == "never");
    }

    [Fact]
    public async Task Continue_as_new_restarts_with_new_input_and_bounded_history()
    {
        var state = await RunAsync(nameof(ContinueAsNewWorkflow), new CounterState(0, 10, []));
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        var final = state.ReadOutputAs<CounterState>()!;
        Assert.Equal(10, final.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"echo:{i}"), final.Seen);

        // Only the last execution's history is kept: one activity, not ten.
        var history = await Client.GetHistoryAsync(state.InstanceId);
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskScheduled);
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted);
    }

    [Fact]
    public async Task Terminate_ends_a_waiting_workflow_with_the_given_output()
    {
        using var cts = new CancellationTokenSource(Patience);
        var id = await Client.ScheduleNewWorkflowAsync(nameof(CustomStatusWorkflow), NewId("terminate"), "x", cancellationToken: cts.Token);
        await Client.WaitForWorkflowStartAsync(id, false, cts.Token);
        await Client.TerminateWorkflowAsync(id, "stopped by test", recursive: true, cts.Token);
        var state = await Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);
        Assert.Equal(WorkflowRuntimeStatus.Terminated, state.RuntimeStatus);
        Assert.Equal("stopped by test", state.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Suspended_workflow_does_not_progress_until_resumed()
    {
        using var cts = new CancellationTokenSource(Patience);
        var id = await Client.ScheduleNewWorkflowAsync(nameof(CustomStatusWorkflow), NewId("suspend"), "s", cancellationToken: cts.Token);
        await WaitForStatusPhaseAsync(id, "started", cts.Token);

        await Client.SuspendWorkflowAsync(id, "pause for test", cts.Token);
        await Client.RaiseEventAsync(id, "go", "now", cts.Token);
        await Task.Delay(1500, cts.Token);
        var suspended = await Client.GetWorkflowStateAsync(id, true, cts.Token);
        Assert.Equal(WorkflowRuntimeStatus.Suspended, suspended!.RuntimeStatus);

        await Client.ResumeWorkflowAsync(id, "carry on", cts.Token);
        var state = await Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);

        var history = await Client.GetHistoryAsync(id);
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionSuspended);
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionResumed);
    }

    [Fact]
    public async Task Purge_removes_a_completed_instance_and_its_history()
    {
        var state = await RunAsync(nameof(SequenceWorkflow), 1);
        Assert.True(await Client.PurgeInstanceAsync(state.InstanceId));
        Assert.Null(await Client.GetWorkflowStateAsync(state.InstanceId, false));
        Assert.DoesNotContain(state.InstanceId, await Client.ListInstanceIdsAsync().ToListAsync());
    }

    [Fact]
    public async Task Purge_refuses_a_running_instance()
    {
        using var cts = new CancellationTokenSource(Patience);
        var id = await Client.ScheduleNewWorkflowAsync(nameof(CustomStatusWorkflow), NewId("purge-running"), "p", cancellationToken: cts.Token);
        await Client.WaitForWorkflowStartAsync(id, false, cts.Token);
        var refused = await Assert.ThrowsAsync<RpcException>(() => Client.PurgeInstanceAsync(id, cancellationToken: cts.Token));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("Terminate it first", refused.Status.Detail);
        Assert.NotNull(await Client.GetWorkflowStateAsync(id, false, cts.Token));
        await Client.TerminateWorkflowAsync(id, null, true, cts.Token);
    }

    [Fact]
    public async Task Starting_an_existing_instance_id_is_an_error_or_a_no_op_by_option()
    {
        var id = NewId("idempotent");
        var first = await RunAsync(nameof(SequenceWorkflow), 2, id);
        var error = await Assert.ThrowsAsync<WorkflowAlreadyExistsException>(() =>
            Client.ScheduleNewWorkflowAsync(nameof(SequenceWorkflow), id, 2));
        Assert.Contains(id, error.Message);

        var again = await Client.ScheduleNewWorkflowAsync(nameof(SequenceWorkflow), id, 2, ifExists: ExistingInstanceBehavior.ReturnExisting);
        Assert.Equal(id, again);
        var state = await Client.GetWorkflowStateAsync(id, true);
        Assert.Equal(first.ReadOutputAs<string>(), state!.ReadOutputAs<string>());
        var history = await Client.GetHistoryAsync(id);
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted);
    }

    [Fact]
    public async Task Custom_status_is_visible_while_running()
    {
        using var cts = new CancellationTokenSource(Patience);
        var id = await Client.ScheduleNewWorkflowAsync(nameof(CustomStatusWorkflow), NewId("status"), "abc", cancellationToken: cts.Token);
        await WaitForStatusPhaseAsync(id, "started", cts.Token);
        await Client.RaiseEventAsync(id, "go", null, cts.Token);
        var state = await Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);
        Assert.Equal("finishing", state.ReadCustomStatusAs<PhaseStatus>()!.Phase);
    }

    [Fact]
    public async Task Unknown_workflow_name_fails_the_instance_with_a_clear_error()
    {
        var state = await RunAsync("NoSuchWorkflow", null);
        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.Contains("NoSuchWorkflow", state.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public async Task Unknown_activity_name_surfaces_as_a_task_failure()
    {
        var state = await RunAsync(nameof(UnknownActivityWorkflow), "x");
        var output = state.ReadOutputAs<string>()!;
        Assert.Contains("NoSuchActivity", output);
    }

    [Fact]
    public async Task Input_that_does_not_deserialize_fails_the_instance_with_a_clear_error()
    {
        var state = await RunAsync(nameof(TypedInputWorkflow), "not a number object");
        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.Contains(nameof(NumberInput), state.FailureDetails!.ErrorMessage);

        var good = await RunAsync(nameof(TypedInputWorkflow), new NumberInput(21));
        Assert.Equal(42, good.ReadOutputAs<int>());
    }

    [Fact]
    public async Task Oversized_payload_is_refused_and_the_sidecar_keeps_serving()
    {
        var huge = new string('x', 6 * 1024 * 1024);
        var error = await Assert.ThrowsAnyAsync<RpcException>(() =>
            Client.ScheduleNewWorkflowAsync(nameof(SequenceWorkflow), NewId("huge"), huge));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);

        var state = await RunAsync(nameof(SequenceWorkflow), 2);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
    }

    [Fact]
    public async Task Malformed_requests_get_a_grpc_status_and_change_nothing()
    {
        var raw = new TaskHubSidecarService.TaskHubSidecarServiceClient(
            Grpc.Net.Client.GrpcChannel.ForAddress(shared.Environment.Sidecar.Address));
        var noName = await Assert.ThrowsAsync<RpcException>(async () =>
            await raw.StartInstanceAsync(new CreateInstanceRequest { InstanceId = NewId("noname") }));
        Assert.Equal(StatusCode.InvalidArgument, noName.StatusCode);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await raw.RaiseEventAsync(new RaiseEventRequest { InstanceId = NewId("missing"), Name = "e" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        var state = await RunAsync(nameof(SequenceWorkflow), 1);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
    }

    private sealed record PhaseStatus(string Phase, string Input);

    private async Task WaitForStatusPhaseAsync(string id, string phase, CancellationToken cancellation)
    {
        while (true)
        {
            var state = await Client.GetWorkflowStateAsync(id, true, cancellation);
            if (state?.ReadCustomStatusAs<PhaseStatus>()?.Phase == phase) return;
            await Task.Delay(50, cancellation);
        }
    }

    private async Task WaitForCustomStatusAsync(string id, string status, CancellationToken cancellation)
    {
        while (true)
        {
            var state = await Client.GetWorkflowStateAsync(id, true, cancellation);
            if (state?.ReadCustomStatusAs<string>() == status) return;
            await Task.Delay(50, cancellation);
        }
    }
}
