using System.Text.Json;

namespace Evolve.Agents.Llm;

/// <summary>The JSON object in a reply, tolerating code fences, prose around it, comments and trailing commas.</summary>
public static class JsonReply
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static ReplyParse<JsonElement> Object(string reply, string expected)
    {
        if (string.IsNullOrWhiteSpace(reply)) return ReplyParse<JsonElement>.Reject("the reply is empty; expected " + expected);
        var start = reply.IndexOf('{', StringComparison.Ordinal);
        var end = reply.LastIndexOf('}');
        if (start < 0 || end <= start) return ReplyParse<JsonElement>.Reject("the reply holds no JSON object; expected " + expected);
        try
        {
            using var document = JsonDocument.Parse(reply[start..(end + 1)], Options);
            return ReplyParse<JsonElement>.Accept(document.RootElement.Clone());
        }
        catch (JsonException e)
        {
            return ReplyParse<JsonElement>.Reject($"the reply's JSON does not parse ({e.Message}); expected " + expected);
        }
    }

    public static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
