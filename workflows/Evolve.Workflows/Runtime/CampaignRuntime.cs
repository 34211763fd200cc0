using System.Collections.Concurrent;
using Evolve.Agents;
using Evolve.Agents.Novelty;
using Evolve.Storage;
using Evolve.Tasks;
using Evolve.Workflows.Configuration;
using Microsoft.Extensions.AI;

namespace Evolve.Workflows.Runtime;

/// <summary>One campaign as the activities see it: its task, its effective settings, its storage and its files.</summary>
public sealed class CampaignRuntime : IDisposable
{
    internal CampaignRuntime(CampaignContext context, TaskDefinition task, CampaignSettings settings, CampaignStorage storage, NoveltyChecker novelty)
    {
        (Context, Task, Settings, Storage, Novelty) = (context, task, settings, storage, novelty);
        TaskStatement = task.ReadProblem();
    }

    public CampaignContext Context { get; }
    public TaskDefinition Task { get; }
    public CampaignSettings Settings { get; }
    public CampaignStorage Storage { get; }
    public NoveltyChecker Novelty { get; }
    public string TaskStatement { get; }

    /// <summary>Files of one round: candidate versions, compiled assemblies, stage folders.</summary>
    public string RoundDirectory(long round) =>
        Directory.CreateDirectory(Path.Combine(Storage.Directory.ArtifactsDirectory, "rounds", $"r{round:D5}")).FullName;

    /// <summary>The node's score from the primary metric: higher is better, so a lower-is-better metric is negated.</summary>
    public double? ScoreOf(double? primary) => primary is { } value ? (Task.HigherIsBetter ? value : -value) : null;

    public void Dispose() => Storage.Dispose();
}

/// <summary>
/// Opens each campaign once per process (task, config.effective.yaml, database) and hands the same runtime to every
/// activity of that campaign. Several campaigns may run in one worker.
/// </summary>
/// <param name="tasks">Resolves task folders with every evaluator this application registered (AddTaskEvaluator).</param>
public sealed class CampaignRuntimes(IEmbeddingGenerator<string, Embedding<float>> embedder, TaskCatalog tasks, INoveltyJudge? noveltyJudge = null) : IDisposable
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
        var storage = await CampaignStorage.OpenAsync(context.CampaignDirectory, settings.CampaignId, settings.Sampler, embedder,
            settings.Cognition, cancellationToken: cancellationToken);
        var novelty = new NoveltyChecker(new MemoizingEmbeddingGenerator(embedder), new NoveltyOptions { SimilarityThreshold = settings.NoveltySimilarityThreshold }, noveltyJudge);
        return new CampaignRuntime(context, task, settings, storage, novelty);
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
