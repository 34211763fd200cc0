using System.Text.Json;

namespace Evolve.Engineering.Cascade;

/// <summary>
/// Reads metrics written by an external evaluator: a JSON object whose numbers (and booleans, as 1/0) are metrics,
/// optionally nested under "metrics" (the shape several Python evolution frameworks use); an "error" string is kept.
/// </summary>
internal static class MetricsJson
{
    public static bool TryParse(string text, out Dictionary<string, double> metrics, out string? reportedError, out string? problem)
    {
        metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        reportedError = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            problem = $"not JSON ({e.Message})";
            return false;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"expected a JSON object of metric names to numbers, got a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}";
                return false;
            }
            Collect(document.RootElement, metrics);
            if (document.RootElement.TryGetProperty("metrics", out var nested) && nested.ValueKind == JsonValueKind.Object) Collect(nested, metrics);
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String) reportedError = error.GetString();
        }
        problem = metrics.Count == 0 && reportedError is null ? "the JSON object holds no numeric metrics" : null;
        return problem is null;
    }

    /// <summary>The last line of <paramref name="stdout"/> that parses as a JSON object, or the whole text.</summary>
    public static string? FindObjectInOutput(string stdout)
    {
        var trimmed = stdout.Trim();
        if (trimmed.StartsWith('{') && trimmed.EndsWith('}')) return trimmed;
        foreach (var line in stdout.Split('\n').Reverse())
        {
            var candidate = line.Trim();
            if (candidate.StartsWith('{') && candidate.EndsWith('}')) return candidate;
        }
        return null;
    }

    private static void Collect(JsonElement element, Dictionary<string, double> metrics)
    {
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Number when property.Value.TryGetDouble(out var number) && double.IsFinite(number):
                    metrics[property.Name] = number;
                    break;
                case JsonValueKind.True:
                    metrics[property.Name] = 1;
                    break;
                case JsonValueKind.False:
                    metrics[property.Name] = 0;
                    break;
            }
        }
    }
}
