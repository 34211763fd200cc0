using Evolve.Durable.Protocol;
using Evolve.Durable.Replay;
using Evolve.Durable.Serialization;

namespace Evolve.Durable.Tests;

public sealed class ReplayExecutorTests
{
    private static HistoryEvent AddOne(ScheduleTaskAction task, int id) =>
        Events.TaskCompleted(id, DurableJson.Deserialize<int>(task.Input) + 1);

    private static T Output<T>(WorkflowTurnResult result) => DurableJson.Deserialize<T>(result.Completion!.Result)!;

    [Fact]
    public void Sequence_schedules_one_activity_per_turn_with_increasing_ids_and_sums_results()
    {
        var harness = ReplayHarness.For<SequenceWorkflow>();
        var first = harness.Start("SequenceWorkflow", 5);
        var action = Assert.Single(first.Actions);
        Assert.Equal(0, action.Id);
        Assert.Equal("Add", action.ScheduleTask.Name);
        Assert.Equal("0", action.ScheduleTask.Input);
        Assert.False(string.IsNullOrEmpty(action.ScheduleTask.TaskExecutionId));

        var second = harness.Turn(Events.TaskCompleted(0, 1));
        Assert.Equal(1, Assert.Single(second.Actions).Id);

        var done = harness.RunToCompletion(AddOne);
        Assert.Equal(OrchestrationStatus.Completed, done.Completion!.WorkflowStatus);
        Assert.Equal(1 + 2 + 3 + 4 + 5, Output<int>(done));
        Assert.Equal(6, harness.Turns);
    }

    [Fact]
    public void Fan_out_of_100_activities_schedules_all_in_one_turn_and_completes_when_the_last_arrives()
    {
        var harness = ReplayHarness.For<FanOutWorkflow>();
        var first = harness.Start("FanOutWorkflow", 100);
        Assert.Equal(100, first.Actions.Count);
        Assert.Equal(Enumerable.Range(0, 100), first.Actions.Select(a => a.Id));

        // Completions arrive in reverse order across two turns.
        var half = harness.Turn(Enumerable.Range(50, 50).Reverse().Select(i => Events.TaskCompleted(i, i * i)).ToArray());
        Assert.Empty(half.Actions);
        Assert.False(half.IsCompleted);
        var done = harness.Turn(Enumerable.Range(0, 50).Reverse().Select(i => Events.TaskCompleted(i, i * i)).ToArray());
        Assert.Equal(Enumerable.Range(0, 100).Sum(i => i * i), Output<int>(done));
    }

    [Fact]
    public void Retry_waits_with_exponential_backoff_timers_then_succeeds()
    {
        var harness = ReplayHarness.For<RetryWorkflow>();
        var start = harness.Now;
        harness.Start("RetryWorkflow", 4);
        var executionId = harness.Last!.Actions[0].ScheduleTask.TaskExecutionId;

        var retry1 = harness.Turn(Events.TaskFailed(0, "Transient", "try again"));
        var timer1 = Assert.Single(retry1.Actions);
        Assert.Equal(start.AddSeconds(1), timer1.CreateTimer.FireAt.ToDateTime());
        Assert.Equal(executionId, timer1.CreateTimer.ActivityRetry.TaskExecutionId);

        harness.Now = start.AddSeconds(1);
        var attempt2 = harness.Turn(Events.TimerFired(timer1.Id, harness.Now));
        Assert.Equal(executionId, Assert.Single(attempt2.Actions).ScheduleTask.TaskExecutionId);

        var retry2 = harness.Turn(Events.TaskFailed(attempt2.Actions[0].Id, "Transient", "again"));
        Assert.Equal(harness.Now.AddSeconds(2), retry2.Actions[0].CreateTimer.FireAt.ToDateTime());

        harness.Turn(Events.TimerFired(retry2.Actions[0].Id, harness.Now));
        var retry3 = harness.Turn(Events.TaskFailed(harness.Last!.Actions[0].Id, "Transient", "and again"));
        Assert.Equal(harness.Now.AddSeconds(3), retry3.Actions[0].CreateTimer.FireAt.ToDateTime()); // 4s capped at 3s

        harness.Turn(Events.TimerFired(retry3.Actions[0].Id, harness.Now));
        var done = harness.Turn(Events.TaskCompleted(harness.Last!.Actions[0].Id, "ok"));
        Assert.Equal("ok", Output<string>(done));
    }

    [Fact]
    public void Retry_gives_up_after_max_attempts_and_surfaces_the_last_failure()
    {
        var harness = ReplayHarness.For<RetryWorkflow>();
        harness.Start("RetryWorkflow", 2);
        var done = harness.RunToCompletion((task, id) => Events.TaskFailed(id, "Transient", "still broken"));
        Assert.Equal("gave up: Transient: still broken", Output<string>(done));
        Assert.Equal(2, harness.History.Count(e => e.TaskScheduled is not null));
    }

    [Fact]
    public void Retry_policy_handle_predicate_stops_retrying_unhandled_failures()
    {
        var harness = ReplayHarness.For<RetryWorkflow>();
        harness.Start("RetryWorkflow", 5);
        var done = harness.Turn(Events.TaskFailed(0, "Fatal", "do not retry"));
        Assert.Equal("gave up: Fatal: do not retry", Output<string>(done));
    }

    [Fact]
    public void Activity_failure_surfaces_as_workflow_failure_with_inner_details_when_unhandled()
    {
        var harness = ReplayHarness.For<SequenceWorkflow>();
        harness.Start("SequenceWorkflow", 2);
        var failed = harness.Turn(Events.TaskFailed(0, "System.IO.IOException", "disk full"));
        var completion = failed.Completion!;
        Assert.Equal(OrchestrationStatus.Failed, completion.WorkflowStatus);
        Assert.Equal(typeof(WorkflowTaskFailedException).FullName, completion.FailureDetails.ErrorType);
        Assert.Contains("Activity 'Add' failed: System.IO.IOException: disk full", completion.FailureDetails.ErrorMessage);
    }

    [Fact]
    public void Child_workflow_gets_a_deterministic_id_and_its_result_or_failure()
    {
        var harness = ReplayHarness.For<ParentWorkflow>();
        var first = harness.Start("ParentWorkflow", 7);
        var child = Assert.Single(first.Actions).CreateChildWorkflow;
        Assert.Equal("ChildWorkflow", child.Name);
        Assert.Equal("wf-1:0000", child.InstanceId);
        Assert.Equal("7", child.Input);
        Assert.Equal(49, Output<int>(harness.Turn(Events.ChildCompleted(0, 49))));

        var failing = ReplayHarness.For<ParentWorkflow>();
        failing.Start("ParentWorkflow", 7);
        Assert.Equal(-1, Output<int>(failing.Turn(Events.ChildFailed(0, "Boom", "child broke"))));
    }

    [Fact]
    public void Timer_fires_at_turn_time_plus_delay_and_current_time_follows_the_turn()
    {
        var harness = ReplayHarness.For<TimerWorkflow>();
        var start = harness.Now;
        var first = harness.Start("TimerWorkflow");
        var timer = Assert.Single(first.Actions).CreateTimer;
        Assert.Equal(start.AddMinutes(5), timer.FireAt.ToDateTime());
        Assert.NotNull(timer.CreateTimer);

        harness.Now = start.AddMinutes(5).AddSeconds(2);
        var done = harness.Turn(Events.TimerFired(0, start.AddMinutes(5)));
        Assert.Equal(harness.Now, Output<DateTime>(done));
    }

    [Fact]
    public void External_events_raised_before_the_wait_are_buffered_by_name_case_insensitively_in_order()
    {
        var harness = ReplayHarness.For<ApprovalWorkflow>();
        var first = harness.Start("ApprovalWorkflow");
        Assert.Empty(first.Actions);
        Assert.False(first.IsCompleted);
        var done = harness.Turn(Events.EventRaised("APPROVE", "alice"), Events.EventRaised("approve", "bob"));
        Assert.Equal("alice+bob", Output<string>(done));
    }

    [Fact]
    public void External_event_that_arrives_in_the_first_turn_is_consumed_by_a_later_wait()
    {
        var harness = ReplayHarness.For<ApprovalWorkflow>();
        harness.Turn(Events.ExecutionStarted("ApprovalWorkflow", "wf-1", null, harness.Now), Events.EventRaised("Approve", "early"));
        var done = harness.Turn(Events.EventRaised("Approve", "late"));
        Assert.Equal("early+late", Output<string>(done));
    }

    [Fact]
    public void External_event_wait_with_timeout_creates_a_timer_and_returns_the_event_when_it_comes_first()
    {
        var harness = ReplayHarness.For<ApprovalWithTimeoutWorkflow>();
        var first = harness.Start("ApprovalWithTimeoutWorkflow");
        var timer = Assert.Single(first.Actions).CreateTimer;
        Assert.Equal("Approve", timer.ExternalEvent.Name);
        Assert.Equal(harness.Now.AddHours(1), timer.FireAt.ToDateTime());

        var done = harness.Turn(Events.EventRaised("Approve", "yes"));
        Assert.Equal("yes", Output<string>(done));
    }

    [Fact]
    public void External_event_wait_times_out_with_TaskCanceledException_when_the_timer_fires_first()
    {
        var harness = ReplayHarness.For<ApprovalWithTimeoutWorkflow>();
        harness.Start("ApprovalWithTimeoutWorkflow");
        var done = harness.Turn(Events.TimerFired(0, harness.Now.AddHours(1)));
        Assert.Equal("timed out", Output<string>(done));
        // A late event after the timeout changes nothing for the completed execution.
        Assert.Equal(OrchestrationStatus.Completed, done.Completion!.WorkflowStatus);
    }

    [Fact]
    public void Continue_as_new_completes_with_the_new_input_and_carries_unprocessed_events_over()
    {
        var harness = ReplayHarness.For<CounterWorkflow>();
        harness.Start("CounterWorkflow", 1);
        var done = harness.Turn(Events.TimerFired(0, harness.Now.AddSeconds(1)), Events.EventRaised("Later", "kept"));
        var completion = done.Completion!;
        Assert.Equal(OrchestrationStatus.ContinuedAsNew, completion.WorkflowStatus);
        Assert.Equal("2", completion.Result);
        var carried = Assert.Single(completion.CarryoverEvents);
        Assert.Equal("Later", carried.EventRaised.Name);
        Assert.Equal("\"kept\"", carried.EventRaised.Input);

        var last = ReplayHarness.For<CounterWorkflow>();
        var final = last.Start("CounterWorkflow", 3);
        Assert.Equal(OrchestrationStatus.Completed, final.Completion!.WorkflowStatus);
        Assert.Equal(3, Output<int>(final));
    }

    [Fact]
    public void Terminate_event_in_new_events_ends_the_execution_as_terminated_with_its_output()
    {
        var harness = ReplayHarness.For<SequenceWorkflow>();
        harness.Start("SequenceWorkflow", 10);
        var done = harness.Turn(Events.Terminated("stopped by operator"));
        var completion = Assert.Single(done.Actions).CompleteWorkflow;
        Assert.Equal(OrchestrationStatus.Terminated, completion.WorkflowStatus);
        Assert.Equal("\"stopped by operator\"", completion.Result);
        Assert.True(done.IsCompleted);
    }

    [Fact]
    public void Suspended_execution_holds_events_until_resumed()
    {
        var harness = ReplayHarness.For<SequenceWorkflow>();
        harness.Start("SequenceWorkflow", 2);
        var suspended = harness.Turn(Events.Suspended(), Events.TaskCompleted(0, 1));
        Assert.Empty(suspended.Actions);
        Assert.False(suspended.IsCompleted);

        var resumed = harness.Turn(Events.Resumed());
        Assert.Equal("Add", Assert.Single(resumed.Actions).ScheduleTask.Name);
        Assert.Equal(1, resumed.Actions[0].Id);
    }

    [Fact]
    public void Custom_status_reflects_the_latest_value_set_by_the_code()
    {
        var harness = ReplayHarness.For<StatusWorkflow>();
        Assert.Equal("{\"step\":1}", harness.Start("StatusWorkflow").CustomStatus);
        Assert.Equal("{\"step\":2}", harness.Turn(Events.TaskCompleted(0, null)).CustomStatus);
        var done = harness.Turn(Events.EventRaised("Go", 1));
        Assert.Equal("{\"step\":2}", done.CustomStatus);
        Assert.Equal("done", Output<string>(done));
    }

    [Fact]
    public void NewGuid_and_CurrentUtcDateTime_are_the_same_on_every_replay()
    {
        var harness = ReplayHarness.For<GuidWorkflow>();
        var first = harness.Start("GuidWorkflow");
        var echoed = DurableJson.Deserialize<string[]>(first.Actions[0].ScheduleTask.Input)!;

        harness.Now = harness.Now.AddMinutes(3);
        var done = harness.Turn(Events.TaskCompleted(0, null));
        var output = Output<string[]>(done);
        Assert.Equal(echoed[0], output[0]);
        Assert.Equal(echoed[1], output[1]);
        Assert.NotEqual(output[0], output[2]);
        Assert.Equal(harness.Now.ToString("O"), output[3]);

        // A second, independent replay of the same history gives the same GUIDs.
        var again = new Replay.WorkflowExecutor().Execute("wf-1", harness.History.Take(harness.History.Count - 1).ToList(), [],
            _ => new GuidWorkflow());
        Assert.Equal(output, Output<string[]>(again));
    }

    [Fact]
    public void Changed_code_against_old_history_fails_with_a_nondeterminism_error_naming_event_and_action()
    {
        var harness = ReplayHarness.For<ChargeWorkflow>();
        harness.Start("ChargeWorkflow");
        harness.Turn(Events.TaskCompleted(0, null)); // history now has Reserve (0) and ChargeCard (1)

        var changed = new Replay.WorkflowExecutor().Execute("wf-1", harness.History, [Events.TaskCompleted(1, null)],
            _ => new ChangedChargeWorkflow());
        var completion = Assert.Single(changed.Actions).CompleteWorkflow;
        Assert.Equal(OrchestrationStatus.Failed, completion.WorkflowStatus);
        Assert.Equal("NonDeterministicWorkflow", completion.FailureDetails.ErrorType);
        Assert.Contains("history has TaskScheduled 'ChargeCard' at sequence 1, but the workflow code scheduled activity 'SendEmail'",
            completion.FailureDetails.ErrorMessage);
    }

    [Fact]
    public void A_removed_call_is_reported_as_nondeterminism_too()
    {
        var history = new List<HistoryEvent>
        {
            new() { EventId = -1, WorkflowStarted = new WorkflowStartedEvent() },
            Events.ExecutionStarted("OrderWorkflow", "wf-1", "{\"item\":\"pen\",\"quantity\":2}", DateTime.UtcNow),
            Events.TaskScheduled(0, "Reserve"),
        };
        var result = new Replay.WorkflowExecutor().Execute("wf-1", history, [], _ => new OrderWorkflow());
        Assert.Equal("NonDeterministicWorkflow", result.Completion!.FailureDetails.ErrorType);
        Assert.Contains("history has TaskScheduled 'Reserve' at sequence 0, but the workflow code did not schedule anything",
            result.Completion.FailureDetails.ErrorMessage);
    }

    [Fact]
    public void Unregistered_workflow_name_fails_with_an_error_type_naming_the_problem()
    {
        var harness = new ReplayHarness(_ => null);
        var result = harness.Start("NoSuchWorkflow");
        Assert.Equal(OrchestrationStatus.Failed, result.Completion!.WorkflowStatus);
        Assert.Equal("WorkflowNotRegistered", result.Completion.FailureDetails.ErrorType);
        Assert.Contains("'NoSuchWorkflow'", result.Completion.FailureDetails.ErrorMessage);
    }

    [Fact]
    public void Input_that_does_not_deserialize_fails_with_a_clear_message()
    {
        var harness = ReplayHarness.For<OrderWorkflow>();
        var result = harness.Start("OrderWorkflow", rawInput: "{\"item\": 5, \"quantity\": \"many\"}");
        Assert.Equal("InvalidWorkflowInput", result.Completion!.FailureDetails.ErrorType);
        Assert.Contains("could not be read as OrderInput", result.Completion.FailureDetails.ErrorMessage);

        var ok = ReplayHarness.For<OrderWorkflow>().Start("OrderWorkflow", new OrderInput("pen", 2));
        Assert.Equal("2 x pen", Output<string>(ok));
    }

    [Fact]
    public void Exception_in_workflow_code_fails_the_workflow_with_type_message_and_stack()
    {
        var harness = ReplayHarness.For<ThrowingWorkflow>();
        harness.Start("ThrowingWorkflow");
        var failure = harness.Turn(Events.TaskCompleted(0, null)).Completion!.FailureDetails;
        Assert.Equal(typeof(InvalidOperationException).FullName, failure.ErrorType);
        Assert.Equal("the workflow broke on purpose", failure.ErrorMessage);
        Assert.Contains(nameof(ThrowingWorkflow), failure.StackTrace);
    }

    [Fact]
    public void Awaiting_a_non_durable_task_fails_the_workflow_clearly()
    {
        var result = ReplayHarness.For<DelayWorkflow>().Start("DelayWorkflow");
        Assert.Equal("NonDurableAwait", result.Completion!.FailureDetails.ErrorType);
        Assert.Contains("Task.Delay", result.Completion.FailureDetails.ErrorMessage);
    }

    [Fact]
    public void Send_event_is_emitted_together_with_the_completion()
    {
        var result = ReplayHarness.For<SendingWorkflow>().Start("SendingWorkflow", "other-instance");
        Assert.Equal(2, result.Actions.Count);
        Assert.Equal("Ping", result.Actions[0].SendEvent.Name);
        Assert.Equal("other-instance", result.Actions[0].SendEvent.Instance.InstanceId);
        Assert.Equal("{\"from\":\"wf-1\"}", result.Actions[0].SendEvent.Data);
        Assert.Equal(OrchestrationStatus.Completed, result.Actions[1].CompleteWorkflow.WorkflowStatus);
    }

    [Fact]
    public void Missing_execution_started_event_fails_with_invalid_history()
    {
        var result = new Replay.WorkflowExecutor().Execute("wf-1", [], [new HistoryEvent { EventId = -1, WorkflowStarted = new() }], _ => null);
        Assert.Equal("InvalidWorkflowHistory", result.Completion!.FailureDetails.ErrorType);
    }

    [Fact]
    public void Replay_safe_logger_writes_each_line_once_across_replays()
    {
        var lines = new List<string>();
        using var factory = new CapturingLoggerFactory(lines);
        var harness = new ReplayHarness(_ => new LoggingWorkflow(), factory);
        harness.Start("LoggingWorkflow");
        harness.Turn(Events.TaskCompleted(0, null));
        harness.Turn(Events.TaskCompleted(1, null));
        Assert.Equal(["before activity", "after activity"], lines);
    }
}
