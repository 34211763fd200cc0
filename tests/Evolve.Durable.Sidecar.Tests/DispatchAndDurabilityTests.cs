using Evolve.Durable.Protocol;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using static Evolve.Durable.Protocol.HistoryEvent;

namespace Evolve.Durable.Sidecar.Tests;

/// <summary>Re-dispatch after a lost stream, stale tokens, and survival across a sidecar restart.</summary>
public sealed class DispatchAndDurabilityTests : IAsyncLifetime
{
    private SidecarFixture _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await SidecarFixture.StartAsync();
    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task An_item_on_a_stream_that_closes_is_redispatched_to_another_stream()
    {
        var doomed = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Handoff");
        var turn = await doomed.NextWorkflowAsync();
        await doomed.CompleteAsync(turn, Actions.Activity(0, "LongJob", "\"payload\""));
        var lost = await doomed.NextActivityAsync();
        await doomed.DisposeAsync(); // the connection drops with the item in flight, as when a worker is killed

        await using var survivor = await _sidecar.ConnectWorkerAsync();
        var again = await survivor.NextActivityAsync();
        Assert.Equal(lost.ActivityRequest.TaskId, again.ActivityRequest.TaskId);
        Assert.Equal(lost.ActivityRequest.TaskExecutionId, again.ActivityRequest.TaskExecutionId);
        Assert.NotEqual(lost.CompletionToken, again.CompletionToken);

        var stale = await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => survivor.CompleteActivityAsync(lost, "from the dead"));
        Assert.Contains(lost.CompletionToken, stale.Status.Detail);
        await survivor.CompleteActivityAsync(again, "\"done\"");
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => survivor.CompleteActivityAsync(again, "\"twice\""));

        var next = await survivor.NextWorkflowAsync();
        Assert.Equal("\"done\"", next.WorkflowRequest.NewEvents.Single(e => e.EventTypeCase == EventTypeOneofCase.TaskCompleted).TaskCompleted.Result);
        Assert.Single(next.WorkflowRequest.PastEvents, e => e.EventTypeCase == EventTypeOneofCase.TaskScheduled);
        await survivor.CompleteAsync(next, Actions.Complete(1, "ok"));
        Assert.Equal("ok", (await _sidecar.WaitForCompletionAsync(id)).Output);
    }

    [Fact]
    public async Task A_workflow_turn_on_a_closed_stream_is_redispatched_and_the_old_token_is_stale()
    {
        var doomed = await _sidecar.ConnectWorkerAsync();
        await _sidecar.StartAsync("Handoff");
        var lost = await doomed.NextWorkflowAsync();
        await doomed.DisposeAsync();
        await using var survivor = await _sidecar.ConnectWorkerAsync();
        var again = await survivor.NextWorkflowAsync();
        Assert.Equal(lost.WorkflowRequest.InstanceId, again.WorkflowRequest.InstanceId);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => survivor.CompleteAsync(lost, Actions.Complete(0, "x")));
        await survivor.CompleteAsync(again, Actions.Complete(0, "y"));
        Assert.Equal("y", (await _sidecar.WaitForCompletionAsync(again.WorkflowRequest.InstanceId)).Output);
    }

    [Fact]
    public async Task Two_streams_share_the_activities()
    {
        await using var first = await _sidecar.ConnectWorkerAsync();
        await using var second = await _sidecar.ConnectWorkerAsync();
        await _sidecar.StartAsync("Share");
        var turn = await Task.WhenAny(first.NextWorkflowAsync(), second.NextWorkflowAsync()).Unwrap();
        await first.CompleteAsync(turn, Enumerable.Range(0, 20).Select(i => Actions.Activity(i, "Piece")).ToArray());
        var deadline = DateTime.UtcNow + SidecarFixture.Patience;
        while (first.ActivitiesReceived + second.ActivitiesReceived < 20 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(20, first.ActivitiesReceived + second.ActivitiesReceived);
        Assert.True(first.ActivitiesReceived > 0 && second.ActivitiesReceived > 0,
            $"one stream got everything ({first.ActivitiesReceived} / {second.ActivitiesReceived})");
    }

    [Fact]
    public async Task Unknown_or_garbage_tokens_are_NOT_FOUND()
    {
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => _sidecar.Client.CompleteActivityTaskAsync(
            new ActivityResponse { InstanceId = "x", TaskId = 0, CompletionToken = "no-such-token" }).ResponseAsync);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => _sidecar.Client.CompleteWorkflowTaskAsync(
            new WorkflowResponse { InstanceId = "x", CompletionToken = "no-such-token" }).ResponseAsync);
    }

    [Fact]
    public async Task Instances_history_pending_activities_and_timers_survive_a_restart()
    {
        var worker = await _sidecar.ConnectWorkerAsync();
        var withActivity = await _sidecar.StartAsync("Durable", "\"a\"", "survive-activity");
        var withTimer = await _sidecar.StartAsync("Durable", "\"t\"", "survive-timer");
        var untouched = await _sidecar.StartAsync("Durable", "\"u\"", "survive-pending");
        var fireAt = DateTimeOffset.UtcNow.AddMilliseconds(800);
        for (var i = 0; i < 3; i++)
        {
            var turn = await worker.NextWorkflowAsync();
            switch (turn.WorkflowRequest.InstanceId)
            {
                case "survive-activity": await worker.CompleteAsync(turn, "\"working\"", Actions.Activity(0, "Persisted", "\"in\"")); break;
                case "survive-timer": await worker.CompleteAsync(turn, Actions.Timer(0, fireAt)); break;
                default: await worker.DisposeAsync(); break; // the third turn is in flight when the sidecar goes down
            }
            if (turn.WorkflowRequest.InstanceId == untouched)
                break;
        }
        var historyBefore = await _sidecar.HistoryAsync(withActivity);
        await worker.DisposeAsync();

        await _sidecar.RestartAsync();

        var state = await _sidecar.GetAsync(withActivity);
        Assert.Equal(OrchestrationStatus.Running, state.WorkflowStatus);
        Assert.Equal("\"working\"", state.CustomStatus);
        Assert.Equal("\"a\"", state.Input);
        Assert.Equal(historyBefore.Select(e => e.ToString()), (await _sidecar.HistoryAsync(withActivity)).Select(e => e.ToString()));

        await using var after = await _sidecar.ConnectWorkerAsync();
        var activity = await after.NextActivityAsync();
        Assert.Equal("Persisted", activity.ActivityRequest.Name);
        Assert.Equal(withActivity, activity.ActivityRequest.WorkflowInstance.InstanceId);
        await after.CompleteActivityAsync(activity, "\"result\"");

        var seen = new HashSet<string>();
        while (seen.Count < 3)
        {
            var turn = await after.NextWorkflowAsync();
            var request = turn.WorkflowRequest;
            seen.Add(request.InstanceId);
            var kinds = request.NewEvents.Select(e => e.EventTypeCase).ToList();
            switch (request.InstanceId)
            {
                case "survive-activity": Assert.Contains(EventTypeOneofCase.TaskCompleted, kinds); break;
                case "survive-timer":
                    Assert.Contains(EventTypeOneofCase.TimerFired, kinds);
                    Assert.True(DateTimeOffset.UtcNow >= fireAt.AddMilliseconds(-5));
                    break;
                default: Assert.Contains(EventTypeOneofCase.ExecutionStarted, kinds); break;
            }
            await after.CompleteAsync(turn, Actions.Complete(9, "\"end\""));
        }
        foreach (var id in new[] { withActivity, withTimer, untouched })
            Assert.Equal(OrchestrationStatus.Completed, (await _sidecar.WaitForCompletionAsync(id)).WorkflowStatus);
    }

    [Fact]
    public async Task Acknowledged_activity_results_are_durable_even_while_the_turn_they_triggered_is_unanswered()
    {
        var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Pair", instanceId: "acked-durable");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.Activity(0, "A"), Actions.Activity(1, "B"));
        var first = await worker.NextActivityAsync();
        var second = await worker.NextActivityAsync();
        await worker.CompleteActivityAsync(first, "\"a\"");
        var heldTurn = await worker.NextWorkflowAsync(); // never answered: the results may not wait for it forever
        await worker.CompleteActivityAsync(second, "\"b\"");
        Assert.NotNull(heldTurn.WorkflowRequest);
        await worker.DisposeAsync();

        await _sidecar.RestartAsync();

        await using var after = await _sidecar.ConnectWorkerAsync();
        var turn = await after.NextWorkflowAsync();
        Assert.Equal(id, turn.WorkflowRequest.InstanceId);
        var results = turn.WorkflowRequest.NewEvents.Where(e => e.EventTypeCase == EventTypeOneofCase.TaskCompleted)
            .ToDictionary(e => e.TaskCompleted.TaskScheduledId, e => e.TaskCompleted.Result);
        Assert.Equal("\"a\"", results[0]);
        Assert.Equal("\"b\"", results[1]);
        Assert.Equal(0, after.ActivitiesReceived);
    }

    [Fact]
    public async Task An_activity_runs_while_the_commit_that_scheduled_it_is_in_flight_but_no_answer_is_acknowledged_before_it()
    {
        await using var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Eager", instanceId: "eager-dispatch");
        var first = await worker.NextWorkflowAsync();

        // Another connection holds SQLite's write lock, so the sidecar's next commit waits (busy retry) until it lets go.
        await using var blocker = new SqliteConnection($"Data Source={_sidecar.Options.DatabasePath};Pooling=False");
        blocker.Open();
        using var writeLock = blocker.BeginTransaction(deferred: false);

        var turnAnswered = worker.CompleteAsync(first, Actions.Activity(0, "Work", "\"in\""));
        var activity = await worker.NextActivityAsync();
        Assert.False(turnAnswered.IsCompleted, "the turn's answer was acknowledged before its commit");
        var resultAnswered = worker.CompleteActivityAsync(activity, "\"out\"");
        var second = await worker.NextWorkflowAsync();
        Assert.Equal("\"out\"", second.WorkflowRequest.NewEvents.Single(e => e.EventTypeCase == EventTypeOneofCase.TaskCompleted).TaskCompleted.Result);
        await Task.Delay(300); // longer than the deferred result's own flush deadline
        Assert.False(turnAnswered.IsCompleted, "the turn's answer was acknowledged before its commit");
        Assert.False(resultAnswered.IsCompleted, "the activity's result was acknowledged before the commit of its schedule");

        writeLock.Rollback();
        await turnAnswered.WaitAsync(SidecarFixture.Patience);
        await resultAnswered.WaitAsync(SidecarFixture.Patience);
        await worker.CompleteAsync(second, Actions.Complete(1, "\"done\""));
        Assert.Equal("\"done\"", (await _sidecar.WaitForCompletionAsync(id)).Output);
        var kinds = (await _sidecar.HistoryAsync(id)).Select(e => e.EventTypeCase).ToList();
        Assert.True(kinds.IndexOf(EventTypeOneofCase.TaskScheduled) < kinds.IndexOf(EventTypeOneofCase.TaskCompleted),
            $"history order: {string.Join(", ", kinds)}");
    }

    [Fact]
    public async Task The_stored_inbox_holds_exactly_the_events_no_answered_turn_has_seen_across_a_restart()
    {
        var worker = await _sidecar.ConnectWorkerAsync();
        var id = await _sidecar.StartAsync("Pair", instanceId: "inbox-rows");
        await worker.CompleteAsync(await worker.NextWorkflowAsync(), Actions.Activity(0, "A"), Actions.Activity(1, "B"));
        Assert.Empty(StoredInbox(id)); // the turn consumed ExecutionStarted, stored by the start
        var first = await worker.NextActivityAsync();
        var second = await worker.NextActivityAsync();
        // A's result rides with the answer to the turn it triggers (unless its 20 ms deadline passes first);
        // B's, sent just before that answer, usually rides too but is not seen by the turn: it must stay stored.
        var firstAck = worker.CompleteActivityAsync(first, "\"a\"");
        var turn = await worker.NextWorkflowAsync();
        var secondAck = worker.CompleteActivityAsync(second, "\"b\"");
        await worker.CompleteAsync(turn);
        await Task.WhenAll(firstAck, secondAck);
        var stored = Assert.Single(StoredInbox(id));
        Assert.Equal(1, stored.TaskCompleted.TaskScheduledId);
        await worker.DisposeAsync();

        await _sidecar.RestartAsync();

        await using var after = await _sidecar.ConnectWorkerAsync();
        var next = (await after.NextWorkflowAsync()).WorkflowRequest;
        Assert.Equal("\"b\"", Assert.Single(next.NewEvents, e => e.EventTypeCase == EventTypeOneofCase.TaskCompleted).TaskCompleted.Result);
        Assert.Equal("\"a\"", Assert.Single(next.PastEvents, e => e.EventTypeCase == EventTypeOneofCase.TaskCompleted).TaskCompleted.Result);
    }

    private List<HistoryEvent> StoredInbox(string instanceId)
    {
        using var connection = new SqliteConnection($"Data Source={_sidecar.Options.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event FROM inbox WHERE instance_id = $id ORDER BY seq";
        command.Parameters.AddWithValue("$id", instanceId);
        using var reader = command.ExecuteReader();
        var events = new List<HistoryEvent>();
        while (reader.Read())
            events.Add(HistoryEvent.Parser.ParseFrom((byte[])reader[0]));
        return events;
    }

    [Fact]
    public async Task The_store_is_SQLite_in_WAL_mode_and_a_second_sidecar_cannot_open_it()
    {
        await _sidecar.StartAsync("X", instanceId: "on-disk");
        await using (var connection = new SqliteConnection($"Data Source={_sidecar.Options.DatabasePath};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", command.ExecuteScalar());
            command.CommandText = "SELECT name FROM instances WHERE id = 'on-disk'";
            Assert.Equal("X", command.ExecuteScalar());
        }
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Hosting.EmbeddedSidecar.StartAsync(_sidecar.Options));
        Assert.Contains("in use by another sidecar", ex.Message);
    }
}
