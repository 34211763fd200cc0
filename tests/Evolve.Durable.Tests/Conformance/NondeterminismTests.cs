using Evolve.Durable.Client;
namespace Evolve.Durable.Tests.Conformance;

public sealed class NondeterminismTests
{
    [Fact]
    public async Task Changed_workflow_code_against_an_old_history_fails_with_an_error_naming_the_mismatch()
    {
        await using var env = await DurableTestEnvironment.StartAsync(r =>
        {
            r.AddActivity<EchoActivity>();
            r.AddActivity<SquareActivity>();
            r.AddWorkflow<VersionedWorkflowV1>("VersionedWorkflow");
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var id = await env.Client.ScheduleNewWorkflowAsync("VersionedWorkflow", "versioned-1", "in", cancellationToken: cts.Token);
        // Wait until the first activity's result is in the history, then "deploy" the edited code.
        while (!(await env.Client.GetHistoryAsync(id, cts.Token)).Any(e => e.TaskCompleted is not null))
            await Task.Delay(50, cts.Token);
        await env.Host.StopAsync(cts.Token);

        using var edited = await DurableTestEnvironment.StartWorkerAsync(env.Sidecar.Address, r =>
        {
            r.AddActivity<EchoActivity>();
            r.AddActivity<SquareActivity>();
            r.AddWorkflow<VersionedWorkflowV2>("VersionedWorkflow");
        });
        await env.Client.RaiseEventAsync(id, "continue", "go", cts.Token);
        var state = await env.Client.WaitForWorkflowCompletionAsync(id, true, cts.Token);
        await edited.StopAsync(cts.Token);

        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        var message = state.FailureDetails!.ErrorMessage;
        Assert.Contains(nameof(EchoActivity), message);
        Assert.Contains(nameof(SquareActivity), message);
    }
}
