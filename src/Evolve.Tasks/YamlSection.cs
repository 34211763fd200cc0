using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Evolve.Tasks;

/// <summary>
/// Reads one YAML mapping with typed getters that record a readable error (naming the full key path and what is
/// allowed) instead of throwing, so a loader can report every problem of a file at once.
/// </summary>
internal sealed class YamlSection
{
    private readonly YamlMappingNode? _node;
    private readonly string _path;
    private readonly List<string> _errors;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlSection(YamlMappingNode? node, string path, List<string> errors)
    {
        _node = node;
        _path = path;
        _errors = errors;
    }

    public bool Has(string key) => Find(key) is not null;

    public string? String(string key, bool required = false)
    {
        var node = Find(key);
        if (node is null)
        {
            if (required) Error(key, "is required");
            return null;
        }
        if (node is YamlScalarNode { Value: { } value } && value.Length > 0) return value;
        Error(key, $"must be a non-empty string (got {Describe(node)})");
        return null;
    }

    public double? Double(string key, double? min = null, double? max = null, string? unit = null)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is YamlScalarNode { Value: { } text } &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) &&
            (min is null || value >= min) && (max is null || value <= max))
        {
            return value;
        }
        Error(key, $"must be a number{Range(min, max)}{(unit is null ? "" : " " + unit)} (got {Describe(node)})");
        return null;
    }

    public int? Int(string key, int? min = null, int? max = null)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is YamlScalarNode { Value: { } text } &&
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) &&
            (min is null || value >= min) && (max is null || value <= max))
        {
            return value;
        }
        Error(key, $"must be a whole number{Range(min, max)} (got {Describe(node)})");
        return null;
    }

    public bool? Bool(string key)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value)) return value;
        Error(key, $"must be true or false (got {Describe(node)})");
        return null;
    }

    public string? Choice(string key, IReadOnlyList<string> allowed)
    {
        var value = String(key);
        if (value is null || allowed.Contains(value, StringComparer.Ordinal)) return value;
        Error(key, $"must be one of {string.Join(", ", allowed)} (got '{value}')");
        return null;
    }

    public IReadOnlyList<string>? StringList(string key)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is not YamlSequenceNode sequence)
        {
            Error(key, $"must be a list of strings (got {Describe(node)})");
            return null;
        }
        var result = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlScalarNode { Value: { Length: > 0 } value }) result.Add(value);
            else Error($"{key}[{i}]", $"must be a non-empty string (got {Describe(sequence.Children[i])})");
        }
        return result;
    }

    public YamlSection? Section(string key, bool required = false)
    {
        var node = Find(key);
        if (node is null)
        {
            if (required) Error(key, "is required");
            return null;
        }
        if (node is YamlMappingNode mapping) return new YamlSection(mapping, Join(key), _errors);
        Error(key, $"must be a mapping of keys to values (got {Describe(node)})");
        return null;
    }

    public IReadOnlyList<YamlSection>? SectionList(string key, bool required = false)
    {
        var node = Find(key);
        if (node is null)
        {
            if (required) Error(key, "is required");
            return null;
        }
        if (node is not YamlSequenceNode sequence)
        {
            Error(key, $"must be a list (got {Describe(node)})");
            return null;
        }
        var result = new List<YamlSection>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlMappingNode mapping) result.Add(new YamlSection(mapping, Join($"{key}[{i}]"), _errors));
            else Error($"{key}[{i}]", $"must be a mapping (got {Describe(sequence.Children[i])})");
        }
        return result;
    }

    /// <summary>Reports keys that no getter asked for: a misspelt setting must not be silently ignored.</summary>
    public void RejectUnknownKeys()
    {
        if (_node is null) return;
        foreach (var key in _node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? key.ToString();
            if (!_read.Contains(name))
            {
                _errors.Add($"{Join(name)}: unknown key; allowed here: {string.Join(", ", _read.Order(StringComparer.Ordinal))}");
            }
        }
    }

    public void Error(string key, string message) => _errors.Add($"{Join(key)}: {message}");

    private YamlNode? Find(string key)
    {
        _read.Add(key);
        if (_node is null) return null;
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: not (YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted) } scalar &&
        (scalar.Value is null or "" or "~" or "null");

    private string Join(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    private static string Range(double? min, double? max) => (min, max) switch
    {
        (null, null) => "",
        ({ } lo, null) => $" >= {lo.ToString(CultureInfo.InvariantCulture)}",
        (null, { } hi) => $" <= {hi.ToString(CultureInfo.InvariantCulture)}",
        ({ } lo, { } hi) => $" between {lo.ToString(CultureInfo.InvariantCulture)} and {hi.ToString(CultureInfo.InvariantCulture)}",
    };

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode scalar => $"'{scalar.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };
}
