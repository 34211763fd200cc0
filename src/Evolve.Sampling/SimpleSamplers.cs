using Evolve.Core;

namespace Evolve.Sampling;

/// <summary>
/// UCB1 over the top-k: unvisited nodes first (best score first), then the node maximising
/// normalised score + c·sqrt(ln N / n_i), with scores min-max normalised over the visited pool.
/// Relies on the caller adding the visits of every draw (see <see cref="SampleResult.VisitedNodeIds"/>); without
/// them every node stays "unvisited" and UCB1 quietly degrades into a fixed order.
/// </summary>
public sealed class Ucb1Sampler(SamplerOptions options) : SamplerBase(options)
{
    public override string Kind => "ucb1";

    protected override SampleResult Draw(SamplingRequest request)
    {
        var pool = RootPool(request);
        if (pool.Count == 0) return new SampleResult(request.Round, "ucb1:empty", 0, null, [], PickLessons(request));

        var unvisited = pool.FirstOrDefault(n => n.Visits <= 0);
        NodeSummary root;
        string strategy;
        if (unvisited is not null)
        {
            root = unvisited;
            strategy = "ucb1:unvisited";
        }
        else
        {
            root = BestUpperBound(pool, Options.Ucb1.C);
            strategy = "ucb1";
        }
        return new SampleResult(request.Round, strategy, root.Island, root.Id, PickContext(request, root.Id), PickLessons(request, root.Island));
    }

    internal static NodeSummary BestUpperBound(IReadOnlyList<NodeSummary> visited, double c)
    {
        var min = double.MaxValue;
        var max = double.MinValue;
        long total = 0;
        foreach (var n in visited)
        {
            min = Math.Min(min, n.Score!.Value);
            max = Math.Max(max, n.Score!.Value);
            total += n.Visits;
        }
        var span = max - min;
        var logTotal = Math.Log(total);
        NodeSummary best = visited[0];
        var bestValue = double.NegativeInfinity;
        foreach (var n in visited)
        {
            var normalised = span > 0 ? (n.Score!.Value - min) / span : 1.0;
            var value = normalised + c * Math.Sqrt(logTotal / n.Visits);
            // Strictly greater: ties go to the earlier (better-scored) node, so draws are reproducible.
            if (value > bestValue)
            {
                bestValue = value;
                best = n;
            }
        }
        return best;
    }
}

/// <summary>Always builds on the best node; context is still drawn at random from the top-m.</summary>
public sealed class GreedySampler(SamplerOptions options) : SamplerBase(options)
{
    public override string Kind => "greedy";

    protected override SampleResult Draw(SamplingRequest request)
    {
        var root = RootPool(request).FirstOrDefault();
        return new SampleResult(request.Round, root is null ? "greedy:empty" : "greedy", root?.Island ?? 0, root?.Id,
            PickContext(request, root?.Id), PickLessons(request, root?.Island));
    }
}

/// <summary>A uniformly random root from the top-k: the baseline the other samplers must beat.</summary>
public sealed class RandomSampler(SamplerOptions options) : SamplerBase(options)
{
    public override string Kind => "random";

    protected override SampleResult Draw(SamplingRequest request)
    {
        var pool = RootPool(request);
        var root = pool.Count == 0 ? null : pool[Rng.NextInt(pool.Count)];
        return new SampleResult(request.Round, root is null ? "random:empty" : "random", root?.Island ?? 0, root?.Id,
            PickContext(request, root?.Id), PickLessons(request, root?.Island));
    }
}

public static class SamplerFactory
{
    /// <summary>A fresh sampler of the configured kind (validated; errors name the key and the allowed values).</summary>
    public static INodeSampler Create(SamplerOptions options)
    {
        options.EnsureValid();
        return options.NormalisedKind switch
        {
            "ucb1" => new Ucb1Sampler(options),
            "greedy" => new GreedySampler(options),
            "random" => new RandomSampler(options),
            "map-elites" => new MapElitesSampler(options),
            _ => throw new SamplerConfigurationException([$"sampler.kind is '{options.Kind}'; allowed values: {string.Join(", ", SamplerOptions.Kinds)}."]),
        };
    }
}
