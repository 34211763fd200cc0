using System.Text.Json;

namespace Evolve.Durable.Serialization;

/// <summary>
/// The one JSON convention for every payload that crosses the protocol (inputs, outputs, event
/// data, custom status): System.Text.Json with web defaults, null as "no value".
/// </summary>
public static class DurableJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static string? Serialize(object? value) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Options);

    public static T? Deserialize<T>(string? json) =>
        string.IsNullOrEmpty(json) ? default : JsonSerializer.Deserialize<T>(json, Options);

    public static object? Deserialize(string? json, Type type)
    {
        if (string.IsNullOrEmpty(json))
        {
            return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;
        }
        return JsonSerializer.Deserialize(json, type, Options);
    }
}
