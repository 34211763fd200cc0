using System.Text.Json;
using System.Text.Json.Serialization;
using Evolve.Core;

namespace Evolve.Storage.Tests;

/// <summary>Nodes and draws travel as workflow activity inputs and outputs, so they must survive a JSON round trip.</summary>
public sealed class ContractSerializationTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    [Fact]
    public void A_node_round_trips_through_json()
    {
        var node = TempCampaign.Node(4, 2.5, parents: ["n00001"]) with
        {
            Provenance = new NodeProvenance { CognitionItemIds = ["seed-1"], ResearcherKind = "offline" },
            Costs = new NodeCosts { InputTokens = 3 },
            Metrics = new Dictionary<string, double> { ["validity"] = 1, ["nan"] = double.NaN },
        };
        var json = JsonSerializer.Serialize(node, Web);
        var back = JsonSerializer.Deserialize<Node>(json, Web)!;
        Assert.DoesNotContain("isOk", json);
        Assert.Equal(node.ParentIds, back.ParentIds);
        Assert.Equal(node.Provenance.CognitionItemIds, back.Provenance.CognitionItemIds);
        Assert.Equal(node.Costs, back.Costs);
        Assert.True(double.IsNaN(back.Metrics["nan"]));
        Assert.Equal(node with { ParentIds = back.ParentIds, Metrics = back.Metrics, Provenance = back.Provenance }, back);
    }

    [Fact]
    public void A_sample_result_round_trips_without_derived_fields()
    {
        var result = new SampleResult(7, "ucb1", 2, "n00003", ["n00001"], ["n00002"]);
        var json = JsonSerializer.Serialize(result, Web);
        Assert.DoesNotContain("visitedNodeIds", json);
        var back = JsonSerializer.Deserialize<SampleResult>(json, Web)!;
        Assert.Equal(result.RootId, back.RootId);
        Assert.Equal(result.ContextIds, back.ContextIds);
        Assert.Equal(["n00003"], back.VisitedNodeIds);
    }
}
