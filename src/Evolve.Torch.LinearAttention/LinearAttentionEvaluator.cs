using System.Globalization;
using System.Text.Json;
using Evolve.Core;
using Evolve.Core.Evaluation;
using Evolve.Torch.Jobs;
using Microsoft.Extensions.Logging;

namespace Evolve.Torch.LinearAttention;

/// <summary>
/// The trusted evaluator of the linear-attention task. Every stage runs the candidate in the training worker, a
/// separate process: a <c>checks</c> stage runs the static checks (parameters, finite forward/backward, causality,
/// sub-quadratic cost) and rejects with the failing check's reason; a training stage trains the harness model
/// around the candidate on each benchmark and compares with the DeltaNet baseline trained under the same budget and
/// seed. Training checkpoints into the stage's persistent directory, so a retried stage resumes.
/// </summary>
/// <remarks>
/// Metrics of a training stage S: <c>S_{benchmark}_accuracy</c>, <c>_loss</c> and their <c>_baseline_</c> twins;
/// <c>S_score</c> (mean accuracy over the benchmarks), <c>S_baseline_score</c>, <c>S_fitness</c> = score ÷ baseline
/// score; unprefixed <c>fitness</c>, <c>score</c>, <c>baseline_score</c>, <c>vs_baseline</c> (score − baseline score),
/// <c>parameters</c>, <c>tokens_per_s</c>, <c>baseline_tokens_per_s</c>, <c>peak_memory_mb</c> and
/// <c>resumed_from_step</c> of the latest training stage (so the full stage's fitness is the node's score).
/// </remarks>
public sealed class LinearAttentionEvaluator(LinearAttentionOptions options, WorkerLauncher launcher, BaselineCache baselines, ILogger<LinearAttentionEvaluator> logger)
    : ICandidateEvaluator
{
    public string Name => LinearAttentionContract.Name;

    public async Task<EvaluatorVerdict> EvaluateStageAsync(StageEvaluationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!options.Stages.TryGetValue(context.Stage, out var stage))
            return EvaluatorVerdict.Malformed($"the linear-attention evaluator has no settings for stage '{context.Stage}'; configured stages: {string.Join(", ", options.Stages.Keys)}");
        if (context.CandidateAssemblyPath is null)
            return EvaluatorVerdict.Malformed("the candidate was not compiled; the linear-attention task needs an entry point and the static check");
        if (context.Output is { } output && IsNullOutput(output.Json))
            return EvaluatorVerdict.Malformed($"{LinearAttentionContract.EntryType}.{LinearAttentionContract.EntryMethod}() returned null; return a MixerFactory (dim => new YourMixer(dim))");

        var mixer = new MixerSource(context.CandidateAssemblyPath, LinearAttentionContract.EntryType, LinearAttentionContract.EntryMethod);
        string state = context.PersistentDirectory ?? Path.Combine(context.WorkDirectory, "state");
        string resultPath = Path.Combine(context.WorkDirectory, "candidate-result.json");
        if (stage.Checks is { } checks)
        {
            var run = await launcher.RunAsync(new WorkerRequest(WorkerRequest.CheckMode, mixer, state, resultPath, "candidate", Checks: checks),
                context.WorkDirectory, context.Timeout, cancellationToken).ConfigureAwait(false);
            return JudgeChecks(run, context);
        }
        if (stage.Training is { } training)
        {
            var baseline = await baselines.GetAsync(training, cancellationToken).ConfigureAwait(false);
            var run = await launcher.RunAsync(new WorkerRequest(WorkerRequest.TrainMode, mixer, state, resultPath, "candidate", Training: training),
                context.WorkDirectory, context.Timeout, cancellationToken, ForwardProgress(context, training.Benchmarks.Count)).ConfigureAwait(false);
            return JudgeTraining(run, baseline, context);
        }
        return EvaluatorVerdict.Malformed($"stage '{context.Stage}' of the linear-attention evaluator has neither checks nor training settings");
    }

    /// <summary>Turns the worker's progress lines into the stage's progress reports (step, loss, tokens/s).</summary>
    private static Action<string>? ForwardProgress(StageEvaluationContext context, int benchmarks)
    {
        if (context.Progress is not { } progress) return null;
        var seen = new List<string>();
        return line =>
        {
            if (!WorkerProgressLine.TryParse(line, out var benchmark, out var p)) return;
            lock (seen)
            {
                if (!seen.Contains(benchmark)) seen.Add(benchmark);
            }
            progress.Report(new StageProgress(
                string.Create(CultureInfo.InvariantCulture,
                    $"{context.Stage}: {benchmark} ({seen.Count}/{benchmarks}) step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} tokens/s {p.TokensPerSecond:F0}{(p.ResumedFromStep > 0 ? $" (resumed from step {p.ResumedFromStep})" : "")}"),
                p.Step, p.TotalSteps,
                new Dictionary<string, double>(StringComparer.Ordinal)
                {
                    ["loss"] = p.Loss,
                    ["tokens_per_s"] = p.TokensPerSecond,
                    ["resumed_from_step"] = p.ResumedFromStep,
                    ["benchmark_index"] = seen.Count,
                    ["benchmarks"] = benchmarks,
                }));
        };
    }

    private static EvaluatorVerdict JudgeChecks(WorkerRun run, StageEvaluationContext context)
    {
        if (Abnormal(run, context) is { } failed) return failed;
        var checks = run.Response!.Checks ?? [];
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["checks_passed"] = checks.Count(c => c.Passed) };
        if (checks.FirstOrDefault(c => !c.Passed) is { } failure)
        {
            metrics["checks_failed"] = 1;
            return EvaluatorVerdict.Malformed($"failed the '{failure.Check}' check: {failure.Reason}", metrics, NodeStatus.StaticCheckFailed);
        }
        return EvaluatorVerdict.WellFormed(metrics, string.Join("; ", checks.Select(c => $"{c.Check}: {c.Reason}")));
    }

    private EvaluatorVerdict JudgeTraining(WorkerRun run, IReadOnlyList<BenchmarkOutcome> baseline, StageEvaluationContext context)
    {
        if (Abnormal(run, context) is { } failed) return failed;
        var outcomes = run.Response!.Benchmarks ?? [];
        string stage = context.Stage;
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var byName = baseline.ToDictionary(b => b.Benchmark, b => b.Result, StringComparer.Ordinal);
        double score = 0, baselineScore = 0;
        foreach (var (name, result) in outcomes)
        {
            if (!double.IsFinite(result.EvaluationLoss) || !double.IsFinite(result.FinalTrainLoss))
                return EvaluatorVerdict.Malformed($"training diverged on {name}: the loss became {result.FinalTrainLoss} (evaluation loss {result.EvaluationLoss}); keep activations and state bounded (normalise, gate, clip decays)", metrics);
            if (!byName.TryGetValue(name, out var reference))
                throw new InvalidOperationException($"The baseline has no result for benchmark {name}.");
            metrics[$"{stage}_{name}_accuracy"] = result.EvaluationAccuracy;
            metrics[$"{stage}_{name}_loss"] = result.EvaluationLoss;
            metrics[$"{stage}_{name}_baseline_accuracy"] = reference.EvaluationAccuracy;
            metrics[$"{stage}_{name}_baseline_loss"] = reference.EvaluationLoss;
            score += result.EvaluationAccuracy / outcomes.Count;
            baselineScore += reference.EvaluationAccuracy / outcomes.Count;
        }
        if (outcomes.Count == 0) return EvaluatorVerdict.Malformed("the training worker reported no benchmark results");

        // The baseline learns every benchmark above zero accuracy in practice; the guard only keeps the ratio finite.
        double fitness = score / Math.Max(baselineScore, 1e-9);
        metrics[$"{stage}_score"] = metrics["score"] = score;
        metrics[$"{stage}_baseline_score"] = metrics["baseline_score"] = baselineScore;
        metrics[$"{stage}_fitness"] = metrics["fitness"] = fitness;
        metrics["vs_baseline"] = score - baselineScore;
        metrics["parameters"] = outcomes[0].Result.Parameters;
        metrics["baseline_parameters"] = baseline[0].Result.Parameters;
        metrics["tokens_per_s"] = outcomes.Average(o => o.Result.TokensPerSecond);
        metrics["baseline_tokens_per_s"] = baseline.Average(o => o.Result.TokensPerSecond);
        metrics["peak_memory_mb"] = outcomes.Max(o => o.Result.PeakMemoryBytes) / 1e6;
        metrics["resumed_from_step"] = outcomes.Max(o => o.Result.ResumedFromStep);
        metrics["train_steps"] = outcomes.Sum(o => o.Result.Steps);

        string detail = string.Join("; ", outcomes.Select(o => string.Create(CultureInfo.InvariantCulture,
            $"{o.Benchmark}: accuracy {o.Result.EvaluationAccuracy:F3} vs DeltaNet {byName[o.Benchmark].EvaluationAccuracy:F3}")))
            + string.Create(CultureInfo.InvariantCulture, $"; fitness {fitness:F3} (score {score:F3} / DeltaNet {baselineScore:F3})");
        logger.LogInformation("Stage {Stage}: {Detail}", stage, detail);
        return EvaluatorVerdict.WellFormed(metrics, detail);
    }

    /// <summary>A verdict for a worker that timed out, crashed or could not use the candidate; null when it finished normally.</summary>
    private static EvaluatorVerdict? Abnormal(WorkerRun run, StageEvaluationContext context)
    {
        if (run.TimedOut)
            return EvaluatorVerdict.Malformed($"training ran past the {context.Timeout.TotalSeconds:0.#} s limit of stage '{context.Stage}' and was stopped (a retry resumes from its last checkpoint)", status: NodeStatus.Timeout);
        if (run.Response is { Error: { } error })
            return EvaluatorVerdict.Malformed(error, status: NodeStatus.Crash);
        if (run.ExitCode != 0 || run.Response is null)
            return EvaluatorVerdict.Malformed(run.Describe(), status: NodeStatus.Crash);
        return null;
    }

    private static bool IsNullOutput(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Null;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
