using System.Text.Json;
using System.Text.Json.Nodes;
using Evolve.Core;

namespace Evolve.Sampling;

/// <summary>
/// What every sampler shares: the seeded generator, the observation cursor, the candidate pools (roots from top-k,
/// context from top-m, failures only as lessons) and the JSON state envelope.
/// </summary>
public abstract class SamplerBase : INodeSampler
{
    private const int StateVersion = 1;
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected SamplerBase(SamplerOptions options)
    {
        options.EnsureValid();
        Options = options;
        Rng = Xoshiro256.FromSeed(options.Seed);
    }

    public abstract string Kind { get; }
    protected SamplerOptions Options { get; }
    protected Xoshiro256 Rng { get; private set; }
    public SamplerPoolSizes PoolSizes => Options.PoolSizes;
    public long ObservedThroughSequence { get; private set; }
    public virtual bool NeedsObservations => false;

    public void Observe(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Sequence <= ObservedThroughSequence) return;
        ObservedThroughSequence = node.Sequence;
        OnObserve(node);
    }

    protected virtual void OnObserve(Node node) { }

    public SampleResult Sample(SamplingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Draw(request);
    }

    protected abstract SampleResult Draw(SamplingRequest request);

    /// <summary>Top-k ok nodes of the request: roots never come from anywhere else, so a failed node can never be a root.</summary>
    protected IReadOnlyList<NodeSummary> RootPool(SamplingRequest request) => OkCandidates(request).Take(Options.RootPoolSize).ToList();

    /// <summary>A random choice of context nodes from the top-m ok nodes, best first, never the root.</summary>
    protected IReadOnlyList<string> PickContext(SamplingRequest request, string? rootId, IEnumerable<string>? preferred = null)
    {
        var chosen = new List<string>();
        if (Options.ContextCount == 0) return chosen;
        if (preferred is not null) AddRandom(chosen, preferred.Where(id => id != rootId).Distinct().ToList(), Options.ContextCount);
        if (chosen.Count < Options.ContextCount)
        {
            var pool = OkCandidates(request).Take(Options.ContextPoolSize).Select(n => n.Id)
                .Where(id => id != rootId && !chosen.Contains(id)).ToList();
            AddRandom(chosen, pool, Options.ContextCount - chosen.Count);
        }
        return chosen;
    }

    /// <summary>Recent failures as lessons, those of <paramref name="island"/> first.</summary>
    protected IReadOnlyList<string> PickLessons(SamplingRequest request, int? island = null)
    {
        var failures = request.Failures.Where(f => f.Status != NodeStatus.Ok);
        if (island is { } i) failures = failures.OrderBy(f => f.Island == i ? 0 : 1);
        return failures.Take(Options.LessonCount).Select(f => f.Id).ToList();
    }

    protected static IEnumerable<NodeSummary> OkCandidates(SamplingRequest request) =>
        request.Candidates.Where(n => n.Status == NodeStatus.Ok && n.Score is { } s && double.IsFinite(s));

    private void AddRandom(List<string> chosen, IReadOnlyList<string> pool, int count)
    {
        foreach (var index in Rng.SampleIndices(pool.Count, count)) chosen.Add(pool[index]);
    }

    public string SaveState() =>
        // One serialisation pass over a typed envelope: this runs on every draw, so no intermediate JSON tree.
        JsonSerializer.Serialize(new StateEnvelope(Kind, StateVersion, Rng.State, ObservedThroughSequence, SaveData()), Json);

    private sealed record StateEnvelope(string Kind, int Version, ulong[] Rng, long ObservedThroughSequence, object? Data);

    public void RestoreState(string json)
    {
        JsonObject envelope;
        try
        {
            envelope = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("the state is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"Sampler state is not valid JSON ({e.Message}); delete the saved state to start the sampler afresh.", e);
        }
        var kind = envelope["kind"]?.GetValue<string>();
        if (kind != Kind)
            throw new InvalidOperationException($"Saved sampler state belongs to a '{kind}' sampler, but this campaign now uses '{Kind}'; keep the sampler kind of a campaign, or start a new campaign.");
        var version = envelope["version"]?.GetValue<int>();
        if (version != StateVersion)
            throw new FormatException($"Sampler state version {version} is not supported (expected {StateVersion}).");
        Rng = Xoshiro256.FromState(envelope["rng"].Deserialize<ulong[]>(Json) ?? throw new FormatException("Sampler state has no 'rng'."));
        ObservedThroughSequence = envelope["observedThroughSequence"]?.GetValue<long>() ?? 0;
        RestoreData(envelope["data"]);
    }

    /// <summary>The sampler's own state, serialised by its runtime type as the envelope's "data".</summary>
    protected virtual object? SaveData() => null;
    protected virtual void RestoreData(JsonNode? data) { }
}
