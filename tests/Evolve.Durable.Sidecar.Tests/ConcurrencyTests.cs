using Evolve.Durable.Protocol;
using static Evolve.Durable.Protocol.HistoryEvent;

namespace Evolve.Durable.Sidecar.Tests;

/// <summary>Group commit under load: many instances at once all finish, nothing lost or duplicated.</summary>
public sealed class ConcurrencyTests : IAsyncLifetime
{
    private SidecarFixture _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await SidecarFixture.StartAsync();
    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task Many_instances_with_sequential_activities_all_complete_with_every_step_recorded()
    {
        const int instances = 40;
        const int steps = 5;
        await using var first = new SequentialWorker(_sidecar, steps);
        await using var second = new SequentialWorker(_sidecar, steps);
        await Task.WhenAll(first.StartedAsync(), second.StartedAsync());
        var ids = await Task.WhenAll(Enumerable.Range(0, instances).Select(i => _sidecar.StartAsync("Sequence", "0", $"load-{i}")));
        var states = await Task.WhenAll(ids.Select(_sidecar.WaitForCompletionAsync));
        Assert.All(states, s => Assert.Equal(OrchestrationStatus.Completed, s.WorkflowStatus));
        Assert.All(states, s => Assert.Equal(steps.ToString(), s.Output));
        foreach (var id in ids)
        {
            var history = await _sidecar.HistoryAsync(id);
            Assert.Equal(Enumerable.Range(0, steps), history.Where(e => e.EventTypeCase == EventTypeOneofCase.TaskScheduled).Select(e => e.EventId));
            Assert.Equal(Enumerable.Range(0, steps), history.Where(e => e.EventTypeCase == EventTypeOneofCase.TaskCompleted)
                .Select(e => e.TaskCompleted.TaskScheduledId));
        }
    }
}

/// <summary>The writer folds everything pending into one transaction and acknowledges only after it.</summary>
public sealed class GroupCommitWriterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "evolve-sidecar-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Changes_queued_during_a_commit_are_committed_together_and_acknowledged_after_it()
    {
        Directory.CreateDirectory(_directory);
        using var store = new GatedStore(new Storage.SqliteSidecarStore(Path.Combine(_directory, "w.db")));
        await using var writer = new Storage.GroupCommitWriter(store, 10_000, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var first = writer.Enqueue([Put("first")]);
        await store.FirstCommitStarted.Task.WaitAsync(SidecarFixture.Patience);
        var rest = Enumerable.Range(0, 100).Select(i => writer.Enqueue([Put($"i{i}")])).ToList();
        await Task.Delay(100);
        Assert.False(first.IsCompleted, "acknowledged before its commit finished");
        Assert.All(rest, t => Assert.False(t.IsCompleted));
        store.Release.SetResult();
        await Task.WhenAll(rest.Append(first)).WaitAsync(SidecarFixture.Patience);
        Assert.Equal(2, writer.CommitCount);
        Assert.Equal(101, store.Load().Instances.Count);
    }

    [Fact]
    public async Task A_change_set_committed_inline_is_durable_and_acknowledged_when_the_call_returns()
    {
        Directory.CreateDirectory(_directory);
        using var store = new GatedStore(new Storage.SqliteSidecarStore(Path.Combine(_directory, "w.db")), gated: false);
        await using var writer = new Storage.GroupCommitWriter(store, 10_000, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var afterCommitRan = false;
        var done = writer.Enqueue([Put("inline")], () => afterCommitRan = true, wakeWriter: false);
        writer.CommitPendingInline();
        Assert.True(done.IsCompletedSuccessfully, "not acknowledged when the inline commit returned");
        Assert.True(afterCommitRan);
        Assert.Equal(new[] { Environment.CurrentManagedThreadId }, store.CommitThreads);
        Assert.Equal(1, writer.CommitCount);
        Assert.Equal("inline", Assert.Single(store.Load().Instances).InstanceId);
    }

    [Fact]
    public async Task An_inline_commit_during_another_commit_leaves_its_changes_to_the_writer_thread_in_order()
    {
        Directory.CreateDirectory(_directory);
        using var store = new GatedStore(new Storage.SqliteSidecarStore(Path.Combine(_directory, "w.db")));
        await using var writer = new Storage.GroupCommitWriter(store, 10_000, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var first = writer.Enqueue([Put("first")]);
        await store.FirstCommitStarted.Task.WaitAsync(SidecarFixture.Patience);
        var second = writer.Enqueue([Put("second"), new Storage.StoreChange.DeleteInstance("first")], wakeWriter: false);
        writer.CommitPendingInline(); // a commit is in progress: must not commit here, nor block until it ends
        Assert.False(second.IsCompleted, "committed ahead of (or inside) the commit in progress");
        store.Release.SetResult();
        await Task.WhenAll(first, second).WaitAsync(SidecarFixture.Patience);
        Assert.Equal(2, writer.CommitCount);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, store.CommitThreads);
        // Applied in order: "first" was written, then deleted by the second change set.
        Assert.Equal("second", Assert.Single(store.Load().Instances).InstanceId);
    }

    private static Storage.StoreChange Put(string id) => new Storage.StoreChange.PutInstance(new Storage.InstanceRecord(
        id, "W", null, "e", OrchestrationStatus.Pending, null, null, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
        null, null, null, new Dictionary<string, string>()));

    public void Dispose()
    {
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }

    /// <summary>The real SQLite store, with its first commit held until the test releases it (when gated).</summary>
    private sealed class GatedStore(Storage.ISidecarStore inner, bool gated = true) : Storage.ISidecarStore
    {
        /// <summary>Managed thread id of each commit, in order.</summary>
        public List<int> CommitThreads { get; } = [];

        public TaskCompletionSource FirstCommitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Storage.StoreSnapshot Load() => inner.Load();
        public IReadOnlyList<HistoryEvent> ReadHistory(string instanceId) => inner.ReadHistory(instanceId);
        public void Dispose() => inner.Dispose();

        public void Commit(IReadOnlyList<Storage.StoreChange> changes)
        {
            lock (CommitThreads)
                CommitThreads.Add(Environment.CurrentManagedThreadId);
            if (FirstCommitStarted.TrySetResult() && gated)
                Release.Task.Wait();
            inner.Commit(changes);
        }
    }
}

/// <summary>
/// A background worker that runs "N sequential activities, each adding one": it answers every item
/// automatically, reading its progress from the history like a replaying worker would.
/// </summary>
internal sealed class SequentialWorker : IAsyncDisposable
{
    private readonly TestWorker _worker;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _workflows;
    private readonly Task _activities;
    private readonly int _steps;

    public SequentialWorker(SidecarFixture sidecar, int steps)
    {
        _steps = steps;
        _worker = new TestWorker(sidecar.NewChannel(), []);
        _workflows = Task.Run(() => LoopAsync(_worker.NextWorkflowForeverAsync, AnswerTurnAsync));
        _activities = Task.Run(() => LoopAsync(_worker.NextActivityForeverAsync,
            item => _worker.CompleteActivityAsync(item, (int.Parse(item.ActivityRequest.Input) + 1).ToString())));
    }

    public Task StartedAsync() => _worker.ConnectedAsync();

    private async Task LoopAsync(Func<CancellationToken, Task<WorkItem>> next, Func<WorkItem, Task> answer)
    {
        while (!_stop.IsCancellationRequested)
        {
            var item = await next(_stop.Token);
            _ = Task.Run(() => answer(item));
        }
    }

    private Task AnswerTurnAsync(WorkItem item)
    {
        var events = item.WorkflowRequest.PastEvents.Concat(item.WorkflowRequest.NewEvents).ToList();
        var scheduled = events.Count(e => e.EventTypeCase == EventTypeOneofCase.TaskScheduled);
        var results = events.Where(e => e.EventTypeCase == EventTypeOneofCase.TaskCompleted).Select(e => e.TaskCompleted.Result).ToList();
        if (results.Count < scheduled)
            return _worker.CompleteAsync(item);
        var last = results.Count == 0 ? "0" : results[^1];
        return results.Count == _steps
            ? _worker.CompleteAsync(item, Actions.Complete(_steps, last))
            : _worker.CompleteAsync(item, Actions.Activity(scheduled, "AddOne", last));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workflows, _activities).ContinueWith(_ => { });
        await _worker.DisposeAsync();
    }
}
