using System.Collections.Concurrent;
using Evolve.Agents;
using Evolve.Agents.Llm;
using Evolve.Agents.Novelty;
using Evolve.Storage;
using Evolve.Tasks;
using Evolve.Workflows.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Evolve.Workflows.Runtime;

/// <summary>One campaign as the activities see it: its task, its effective settings, its storage and its files.</summary>
public sealed class CampaignRuntime : IDisposable
{
    internal CampaignRuntime(CampaignContext context, TaskDefinition task, CampaignSettings settings, CampaignStorage storage, NoveltyChecker novelty,
        CampaignAgents agents)
    {
        (Context, Task, Settings, Storage, Novelty, Agents) = (context, task, settings, storage, novelty, agents);
        TaskStatement = task.ReadProblem();
    }

    public CampaignContext Context { get; }
    public TaskDefinition Task { get; }
    public CampaignSettings Settings { get; }
    public CampaignStorage Storage { get; }
    public NoveltyChecker Novelty { get; }
    /// <summary>The campaign's agents: its <c>llm:</c> section's where configured, else the application's (DI) defaults.</summary>
    public CampaignAgents Agents { get; }
    public string TaskStatement { get; }

    /// <summary>The judge's rubric: the task's rubric.md when it has one, else a general one.</summary>
    public string JudgeRubric => File.Exists(Path.Combine(Task.Directory, "rubric.md"))
        ? File.ReadAllText(Path.Combine(Task.Directory, "rubric.md"))
        : "Score how sound, clear and promising the candidate's idea and implementation are for the task, beyond its measured score: " +
          "1 = a well-motivated, correct and general improvement; 0.5 = plausible but incremental or fragile; 0 = unmotivated, wrong or overfitted.";

    /// <summary>Files of one round: candidate versions, compiled assemblies, stage folders.</summary>
    public string RoundDirectory(long round) =>
        Directory.CreateDirectory(Path.Combine(Storage.Directory.ArtifactsDirectory, "rounds", $"r{round:D5}")).FullName;

    /// <summary>
    /// The node's score from the primary metric: higher is better, so a lower-is-better metric is negated. A judge's
    /// 0–1 score is blended in with judge.weight: (1 − w)·score + w·judge.
    /// </summary>
    public double? ScoreOf(double? primary, double? judgeScore = null)
    {
        if (primary is not { } value) return null;
        var score = Task.HigherIsBetter ? value : -value;
        return judgeScore is { } judged ? (1 - Settings.JudgeWeight) * score + Settings.JudgeWeight * judged : score;
    }

    public void Dispose() => Storage.Dispose();
}

/// <summary>
/// Opens each campaign once per process (task, config.effective.yaml, database) and hands the same runtime to every
/// activity of that campaign. Several campaigns may run in one worker.
/// </summary>
/// <param name="tasks">Resolves task folders with every evaluator this application registered (AddTaskEvaluator).</param>
/// <param name="defaults">The application's agents (DI): used where a campaign's <c>llm:</c> section configures none.</param>
public sealed class CampaignRuntimes(IEmbeddingGenerator<string, Embedding<float>> embedder, TaskCatalog tasks, CampaignAgents defaults,
    TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<CampaignRuntime>>> _open = new(StringComparer.Ordinal);

    public Task<CampaignRuntime> GetAsync(CampaignContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = Path.GetFullPath(context.CampaignDirectory);
        var lazy = _open.GetOrAdd(key, _ => new Lazy<Task<CampaignRuntime>>(() => OpenAsync(context, CancellationToken.None)));
        if (lazy.Value.IsFaulted || lazy.Value.IsCanceled) _open.TryRemove(new(key, lazy)); // let a retry try again
        return lazy.Value;
    }

    private async Task<CampaignRuntime> OpenAsync(CampaignContext context, CancellationToken cancellationToken)
    {
        var task = tasks.Resolve(Path.GetFullPath(context.TaskDirectory));
        if (!File.Exists(Path.Combine(context.CampaignDirectory, CampaignConfiguration.EffectiveFileName)))
        {
            throw new ArgumentException(
                $"The campaign directory {context.CampaignDirectory} has no {CampaignConfiguration.EffectiveFileName}; start campaigns with `evolve run` (or save a CampaignConfiguration there first).");
        }
        var settings = CampaignConfiguration.LoadEffective(context.CampaignDirectory).Settings;
        var campaignEmbedder = LlmAgentSet.CreateEmbeddingGenerator(settings.Llm, timeProvider, loggerFactory) ?? embedder;
        var storage = await CampaignStorage.OpenAsync(context.CampaignDirectory, settings.CampaignId, settings.Sampler, campaignEmbedder,
            settings.Cognition, cancellationToken: cancellationToken);
        var noveltyOptions = new NoveltyOptions { SimilarityThreshold = settings.NoveltySimilarityThreshold };
        var agents = defaults;
        if (settings.Llm.AnyConfigured)
        {
            var llm = LlmAgentSet.Create(settings.Llm, storage.Transcripts, timeProvider, loggerFactory, noveltyOptions);
            agents = new CampaignAgents(llm.Researcher ?? defaults.Researcher, llm.Debugger ?? defaults.Debugger, llm.Analyzer ?? defaults.Analyzer,
                llm.NoveltyJudge ?? defaults.NoveltyJudge, llm.Judge ?? defaults.Judge);
        }
        var novelty = new NoveltyChecker(new MemoizingEmbeddingGenerator(campaignEmbedder), noveltyOptions, agents.NoveltyJudge);
        return new CampaignRuntime(context, task, settings, storage, novelty, agents);
    }

    /// <summary>Closes a campaign's database (e.g. before its directory is deleted).</summary>
    public async Task CloseAsync(string campaignDirectory)
    {
        if (_open.TryRemove(Path.GetFullPath(campaignDirectory), out var lazy) && lazy.IsValueCreated)
        {
            (await lazy.Value).Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _open.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully) lazy.Value.Result.Dispose();
        }
        _open.Clear();
    }
}

/// <summary>The agents one campaign uses; <see cref="Judge"/> is optional (no judging without one).</summary>
public sealed record CampaignAgents(IResearcher Researcher, IDebugger Debugger, IAnalyzer Analyzer, INoveltyJudge? NoveltyJudge, IJudge? Judge);
