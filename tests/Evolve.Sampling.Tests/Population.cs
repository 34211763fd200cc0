using Evolve.Core;

namespace Evolve.Sampling.Tests;

/// <summary>
/// An in-memory campaign for sampler tests: commits nodes with a sequence, feeds them to the sampler, builds requests
/// the way the storage layer does (ok nodes best first, failures newest first) and applies the visits of each draw.
/// </summary>
internal sealed class Population
{
    private readonly List<Node> _nodes = [];

    public IReadOnlyList<Node> Nodes => _nodes;

    public Node Add(double? score, NodeStatus status = NodeStatus.Ok, int island = 0, string code = "", IReadOnlyDictionary<string, double>? metrics = null)
    {
        var round = _nodes.Count;
        var node = new Node
        {
            Id = Node.IdForRound(round),
            CampaignId = "test",
            Round = round,
            Score = score,
            Status = status,
            Island = island,
            Code = code,
            Metrics = metrics ?? Node.EmptyMetrics,
            Sequence = round + 1,
        };
        _nodes.Add(node);
        return node;
    }

    public void ObserveAll(INodeSampler sampler)
    {
        foreach (var node in _nodes.Where(n => n.Sequence > sampler.ObservedThroughSequence)) sampler.Observe(node);
    }

    public SamplingRequest Request(INodeSampler sampler, long round)
    {
        var sizes = sampler.PoolSizes;
        var candidates = _nodes.Where(n => n.IsOk).OrderByDescending(n => n.Score).ThenBy(n => n.Round)
            .Take(sizes.CandidateCount).Select(Summary).ToList();
        var failures = _nodes.Where(n => n.Status != NodeStatus.Ok).OrderByDescending(n => n.Round)
            .Take(sizes.FailureCount).Select(Summary).ToList();
        return new SamplingRequest(round, candidates, failures);
    }

    /// <summary>One full draw: observe, sample, count the visits.</summary>
    public SampleResult Draw(INodeSampler sampler, long round)
    {
        ObserveAll(sampler);
        var result = sampler.Sample(Request(sampler, round));
        foreach (var id in result.VisitedNodeIds)
        {
            var index = _nodes.FindIndex(n => n.Id == id);
            _nodes[index] = _nodes[index] with { Visits = _nodes[index].Visits + 1 };
        }
        return result;
    }

    public long VisitsOf(string id) => _nodes.Single(n => n.Id == id).Visits;

    private static NodeSummary Summary(Node n) => new(n.Id, n.Round, n.Name, n.Score, n.Status, n.Island, n.Visits);
}
