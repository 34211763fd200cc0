using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Evolve.Core;

namespace Evolve.Reporting;

/// <summary>
/// One node as a flat Parquet row: lists are comma-joined strings (node and cognition ids never contain commas),
/// metrics are a JSON object, timestamps are UTC. Column names are snake_case.
/// </summary>
public sealed class NodeParquetRow
{
    public const string SchemaName = "evolve-nodes-v1";

    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("campaign_id")] public string CampaignId { get; set; } = "";
    [JsonPropertyName("round")] public long Round { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("motivation")] public string Motivation { get; set; } = "";
    [JsonPropertyName("code")] public string? Code { get; set; }
    [JsonPropertyName("artifact_ref")] public string? ArtifactRef { get; set; }
    [JsonPropertyName("parent_ids")] public string ParentIds { get; set; } = "";
    [JsonPropertyName("score")] public double? Score { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("stage_reached")] public int StageReached { get; set; }
    [JsonPropertyName("analysis")] public string? Analysis { get; set; }
    [JsonPropertyName("metrics_json")] public string MetricsJson { get; set; } = "{}";
    [JsonPropertyName("island")] public int Island { get; set; }
    [JsonPropertyName("visits")] public long Visits { get; set; }
    [JsonPropertyName("researcher")] public string Researcher { get; set; } = "";
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("sampler_strategy")] public string? SamplerStrategy { get; set; }
    [JsonPropertyName("context_node_ids")] public string ContextNodeIds { get; set; } = "";
    [JsonPropertyName("cognition_item_ids")] public string CognitionItemIds { get; set; } = "";
    [JsonPropertyName("input_tokens")] public long InputTokens { get; set; }
    [JsonPropertyName("output_tokens")] public long OutputTokens { get; set; }
    [JsonPropertyName("cost_usd")] public double CostUsd { get; set; }
    [JsonPropertyName("research_seconds")] public double ResearchSeconds { get; set; }
    [JsonPropertyName("evaluation_seconds")] public double EvaluationSeconds { get; set; }
    [JsonPropertyName("sequence")] public long Sequence { get; set; }
    [JsonPropertyName("created_at")] public DateTime CreatedAt { get; set; }
    [JsonPropertyName("updated_at")] public DateTime UpdatedAt { get; set; }

    public static NodeParquetRow From(Node node) => new()
    {
        Id = node.Id,
        CampaignId = node.CampaignId,
        Round = node.Round,
        Name = node.Name,
        Motivation = node.Motivation,
        Code = node.Code,
        ArtifactRef = node.ArtifactRef,
        ParentIds = string.Join(',', node.ParentIds),
        Score = node.Score,
        Status = node.Status.ToWireName(),
        Error = node.Error,
        StageReached = node.StageReached,
        Analysis = node.Analysis,
        MetricsJson = JsonSerializer.Serialize(
            new SortedDictionary<string, double>(node.Metrics.ToDictionary(), StringComparer.Ordinal), NodeJson.Compact),
        Island = node.Island,
        Visits = node.Visits,
        Researcher = node.Provenance.ResearcherKind,
        Model = node.Provenance.Model,
        SamplerStrategy = node.Provenance.SamplerStrategy,
        ContextNodeIds = string.Join(',', node.Provenance.ContextNodeIds),
        CognitionItemIds = string.Join(',', node.Provenance.CognitionItemIds),
        InputTokens = node.Costs.InputTokens,
        OutputTokens = node.Costs.OutputTokens,
        CostUsd = node.Costs.CostUsd,
        ResearchSeconds = node.Costs.ResearchSeconds,
        EvaluationSeconds = node.Costs.EvaluationSeconds,
        Sequence = node.Sequence,
        CreatedAt = node.CreatedAt.UtcDateTime,
        UpdatedAt = node.UpdatedAt.UtcDateTime,
    };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Id} round {Round} {Status} {Score}");
}
