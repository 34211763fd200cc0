using Evolve.Durable.Protocol;
using Grpc.Core;
using static Evolve.Durable.Protocol.HistoryEvent;

namespace Evolve.Durable.Sidecar.Tests;

/// <summary>Bad requests get a clear status or a recorded failure, and the sidecar keeps serving.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private SidecarFixture _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await SidecarFixture.StartAsync(o => o.MaxMessageBytes = 64 * 1024);
    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task Unknown_instances_are_NOT_FOUND_and_GetInstance_says_it_does_not_exist()
    {
        var client = _sidecar.Client;
        Assert.False((await client.GetInstanceAsync(new GetInstanceRequest { InstanceId = "ghost" })).Exists);
        var ex = await RpcAssert.ThrowsAsync(StatusCode.NotFound,
            () => client.RaiseEventAsync(new RaiseEventRequest { InstanceId = "ghost", Name = "E" }).ResponseAsync);
        Assert.Contains("ghost", ex.Status.Detail);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => client.TerminateInstanceAsync(new TerminateRequest { InstanceId = "ghost" }).ResponseAsync);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => client.SuspendInstanceAsync(new SuspendRequest { InstanceId = "ghost" }).ResponseAsync);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => client.ResumeInstanceAsync(new ResumeRequest { InstanceId = "ghost" }).ResponseAsync);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => client.PurgeInstancesAsync(new PurgeInstancesRequest { InstanceId = "ghost" }).ResponseAsync);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => _sidecar.HistoryAsync("ghost"));
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => client.WaitForInstanceCompletionAsync(
            new GetInstanceRequest { InstanceId = "ghost" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
    }

    [Fact]
    public async Task Missing_arguments_are_INVALID_ARGUMENT_naming_the_field()
    {
        var client = _sidecar.Client;
        var noName = await RpcAssert.ThrowsAsync(StatusCode.InvalidArgument,
            () => client.StartInstanceAsync(new CreateInstanceRequest { InstanceId = "x" }).ResponseAsync);
        Assert.Contains("CreateInstanceRequest.name", noName.Status.Detail);
        var noEvent = await RpcAssert.ThrowsAsync(StatusCode.InvalidArgument,
            () => client.RaiseEventAsync(new RaiseEventRequest { InstanceId = "x" }).ResponseAsync);
        Assert.Contains("RaiseEventRequest.name", noEvent.Status.Detail);
        var noId = await RpcAssert.ThrowsAsync(StatusCode.InvalidArgument,
            () => client.GetInstanceAsync(new GetInstanceRequest()).ResponseAsync);
        Assert.Contains("instanceId", noId.Status.Detail);
        var noToken = await RpcAssert.ThrowsAsync(StatusCode.InvalidArgument,
            () => client.CompleteActivityTaskAsync(new ActivityResponse { InstanceId = "x" }).ResponseAsync);
        Assert.Contains("completionToken", noToken.Status.Detail);
        await RpcAssert.ThrowsAsync(StatusCode.InvalidArgument, () => client.PurgeInstancesAsync(new PurgeInstancesRequest()).ResponseAsync);
        var badTime = await RpcAssert.ThrowsAsync(StatusCode.InvalidArgument, () => client.StartInstanceAsync(new CreateInstanceRequest
        {
            Name = "W", ScheduledStartTimestamp = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = long.MaxValue },
        }).ResponseAsync);
        Assert.Contains("scheduledStartTimestamp", badTime.Status.Detail);
        await RpcAssert.ThrowsAsync(StatusCode.Unimplemented,
            () => client.RerunWorkflowFromEventAsync(new RerunWorkflowFromEventRequest { SourceInstanceID = "x" }).ResponseAsync);
    }

    [Fact]
    public async Task Oversized_messages_are_RESOURCE_EXHAUSTED_and_nothing_is_created()
    {
        var huge = new string('x', 100 * 1024);
        await RpcAssert.ThrowsAsync(StatusCode.ResourceExhausted,
            () => _sidecar.StartAsync("Big", $"\"{huge}\"", "too-big"));
        Assert.False((await _sidecar.Client.GetInstanceAsync(new GetInstanceRequest { InstanceId = "too-big" })).Exists);
        Assert.Equal("fine", await _sidecar.StartAsync("Small", "1", "fine"));
    }

    [Fact]
    public async Task A_malformed_action_fails_the_instance_with_a_recorded_reason_and_others_carry_on()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var broken = await _sidecar.StartAsync("Broken", instanceId: "broken");
        var turn = await worker.NextWorkflowAsync();
        await worker.CompleteAsync(turn, Actions.Activity(0, "Fine"), new WorkflowAction { Id = 1 });

        var state = await _sidecar.WaitForCompletionAsync(broken);
        Assert.Equal(OrchestrationStatus.Failed, state.WorkflowStatus);
        Assert.Equal("InvalidWorkflowAction", state.FailureDetails.ErrorType);
        Assert.Contains("action 1", state.FailureDetails.ErrorMessage);
        var last = (await _sidecar.HistoryAsync(broken))[^1];
        Assert.Equal(EventTypeOneofCase.ExecutionCompleted, last.EventTypeCase);
        Assert.Equal("InvalidWorkflowAction", last.ExecutionCompleted.FailureDetails.ErrorType);

        var healthy = await _sidecar.StartAsync("Healthy");
        var next = await worker.NextWorkflowAsync();
        Assert.Equal(healthy, next.WorkflowRequest.InstanceId);
        await worker.CompleteAsync(next, Actions.Complete(0, "fine"));
        Assert.Equal(OrchestrationStatus.Completed, (await _sidecar.WaitForCompletionAsync(healthy)).WorkflowStatus);
    }

    [Theory]
    [InlineData("empty-activity-name", "ScheduleTaskAction.name")]
    [InlineData("timer-without-time", "CreateTimerAction.fireAt")]
    [InlineData("event-without-target", "SendEventAction.instance")]
    [InlineData("duplicate-id", "appears twice")]
    [InlineData("timer-out-of-range", "could not be applied")]
    [InlineData("reused-id", "already has an event")]
    public async Task Each_kind_of_malformed_action_is_named_in_the_failure(string kind, string expected)
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Broken");
        var turn = await worker.NextWorkflowAsync();
        if (kind == "reused-id")
        {
            await worker.CompleteAsync(turn, Actions.Activity(0, "A"));
            await worker.CompleteActivityAsync(await worker.NextActivityAsync(), "1");
            turn = await worker.NextWorkflowAsync();
        }
        WorkflowAction[] actions = kind switch
        {
            "empty-activity-name" => [Actions.Activity(0, "")],
            "timer-without-time" => [new WorkflowAction { Id = 0, CreateTimer = new CreateTimerAction() }],
            "event-without-target" => [new WorkflowAction { Id = 0, SendEvent = new SendEventAction { Name = "E" } }],
            "duplicate-id" => [Actions.Activity(0, "A"), Actions.Activity(0, "B")],
            "timer-out-of-range" => [new WorkflowAction { Id = 0, CreateTimer = new CreateTimerAction
                { FireAt = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = long.MaxValue } } }],
            _ => [Actions.Activity(0, "A")],
        };
        await worker.CompleteAsync(turn, actions);
        var state = await _sidecar.WaitForCompletionAsync(id);
        Assert.Equal(OrchestrationStatus.Failed, state.WorkflowStatus);
        Assert.Contains(expected, state.FailureDetails.ErrorMessage);
    }

    [Fact]
    public async Task Wait_for_completion_honours_the_deadline()
    {
        var id = await _sidecar.StartAsync("Forever");
        var started = DateTime.UtcNow;
        await RpcAssert.ThrowsAsync(StatusCode.DeadlineExceeded, () => _sidecar.Client.WaitForInstanceCompletionAsync(
            new GetInstanceRequest { InstanceId = id }, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
        Assert.Equal(OrchestrationStatus.Pending, (await _sidecar.GetAsync(id)).WorkflowStatus);
    }

    [Fact]
    public async Task Instance_ids_are_listed_in_pages()
    {
        for (var i = 0; i < 7; i++)
            await _sidecar.StartAsync("L", instanceId: $"list-{i}");
        var all = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var request = new ListInstanceIDsRequest { PageSize = 3 };
            if (token is not null)
                request.ContinuationToken = token;
            var page = await _sidecar.Client.ListInstanceIDsAsync(request);
            Assert.True(page.InstanceIds.Count <= 3);
            all.AddRange(page.InstanceIds);
            token = page.HasContinuationToken ? page.ContinuationToken : null;
            pages++;
        } while (token is not null);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"list-{i}"), all);
        Assert.Equal(3, pages);
    }
}
