using System.Text.Json;
using System.Text.Json.Serialization;
using Evolve.Core;

namespace Evolve.Reporting;

/// <summary>How nodes look as JSON in exports and `--json` output: camelCase fields, statuses by their wire names.</summary>
public static class NodeJson
{
    /// <summary>One node per line (JSONL, `--json` lists).</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    /// <summary>Readable single documents (`evolve node --json`).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // A diverged run may record NaN or infinite metrics; an export must carry them, not fail.
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            WriteIndented = indented,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new NodeStatusConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class NodeStatusConverter : JsonConverter<NodeStatus>
    {
        public override NodeStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? NodeStatusExtensions.ParseWireName(reader.GetString()!)
                : throw new JsonException($"A node status must be a string such as \"ok\" or \"compile_error\", not {reader.TokenType}.");

        public override void Write(Utf8JsonWriter writer, NodeStatus value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToWireName());

        // Dictionaries keyed by status (counts) use the wire names as property names too.
        public override NodeStatus ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            NodeStatusExtensions.ParseWireName(reader.GetString()!);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, NodeStatus value, JsonSerializerOptions options) =>
            writer.WritePropertyName(value.ToWireName());
    }
}
