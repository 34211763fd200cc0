using Evolve.Durable;
using Evolve.Engineering.Cascade;
using Evolve.Workflows.Runtime;

namespace Evolve.Workflows.Activities;

/// <summary>The latest progress report of a running evaluation stage (read only; null when it reported none yet).</summary>
public sealed class ReadStageProgressActivity(CampaignRuntimes runtimes) : WorkflowActivity<StageProgressInput, StageProgressStep>
{
    public override async Task<StageProgressStep> RunAsync(WorkflowActivityContext context, StageProgressInput input)
    {
        var runtime = await runtimes.GetAsync(input.Campaign, context.CancellationToken);
        var work = Path.Combine(runtime.RoundDirectory(input.Round), RoundFiles.EvaluationDirectory);
        return new StageProgressStep(StageProgressFile.TryRead(EvaluationCascade.StageDirectory(work, runtime.Task, input.StageIndex)));
    }
}
