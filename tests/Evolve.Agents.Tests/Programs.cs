using Evolve.Agents;
using Evolve.Core;
using Evolve.Tasks;

namespace Evolve.Agents.Tests;

/// <summary>The real circle-packing task and node views built from its programs.</summary>
internal static class Programs
{
    private static readonly Lazy<TaskDefinition> Task = new(() => new TaskCatalog().Resolve("circle-packing"));

    public static TaskDefinition CirclePacking => Task.Value;

    public static string Initial => CirclePacking.ReadInitialProgram();

    public static NodeView Node(string id, string code, double? score = 1.0, string motivation = "initial program",
        IReadOnlyDictionary<string, double>? metrics = null, NodeStatus status = NodeStatus.Ok, string? error = null, int stageReached = 2) =>
        new(id, long.Parse(id[1..]), "node " + id, motivation, code, score, metrics ?? new Dictionary<string, double>(), status, error, null, stageReached);

    public static ResearchRequest Request(NodeView root, long seed, long round, params NodeView[] context) =>
        new("pack circles", root, context, [], [], round, seed);
}
