using System.Text.Json;

namespace Evolve.Core;

/// <summary>One line of a cognition.jsonl file: the item's optional id, its content, source and metadata.</summary>
public sealed record CognitionLine(string? Id, string Content, string Source, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The cognition.jsonl format (a task's priors, an evaluator's emitted items): one JSON object per line with a
/// non-empty "content", optional "id", "source" and "metadata" (an object; non-string values are kept as JSON text).
/// </summary>
public static class CognitionJsonl
{
    public static bool TryParseLine(string line, out CognitionLine item, out string problem)
    {
        item = null!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            problem = $"not valid JSON ({e.Message}); each line must be one object like {{\"content\": \"…\", \"source\": \"…\", \"metadata\": {{…}}}}";
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = $"expected a JSON object, found {root.ValueKind.ToString().ToLowerInvariant()}";
                return false;
            }
            if (!root.TryGetProperty("content", out var contentElement) || contentElement.ValueKind != JsonValueKind.String
                || string.IsNullOrWhiteSpace(contentElement.GetString()))
            {
                problem = "missing \"content\": every item needs a non-empty string \"content\"";
                return false;
            }
            var content = contentElement.GetString()!.Trim();
            var source = root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var m))
            {
                if (m.ValueKind != JsonValueKind.Object && m.ValueKind != JsonValueKind.Null)
                {
                    problem = $"\"metadata\" must be an object, found {m.ValueKind.ToString().ToLowerInvariant()}";
                    return false;
                }
                if (m.ValueKind == JsonValueKind.Object)
                    foreach (var property in m.EnumerateObject())
                        metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
            var id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(idElement.GetString())
                ? idElement.GetString()!
                : null;
            item = new CognitionLine(id, content, source, metadata);
            problem = "";
            return true;
        }
    }
}
