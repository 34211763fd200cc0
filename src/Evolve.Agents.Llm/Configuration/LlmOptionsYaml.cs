using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Evolve.Agents.Llm;

/// <summary>
/// Reads the <c>llm:</c> section of a campaign YAML into <see cref="LlmOptions"/>, collecting every problem with its
/// key path (unknown keys included, so a misspelt setting is never silently ignored), then validates the result.
/// Scalar values may refer to environment variables as <c>${NAME}</c> or <c>${NAME:-default}</c>, as elsewhere in the
/// campaign file (the API key itself is never written there: <c>api_key_env</c> names its variable).
/// </summary>
public static partial class LlmOptionsYaml
{

    /// <summary>Reads the <c>llm</c> key of a whole campaign file; no such key gives the offline configuration.</summary>
    /// <param name="environment">Looks up ${NAME} references; the process environment when null.</param>
    public static LlmOptions Parse(string campaignYaml, Func<string, string?>? environment = null)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(campaignYaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new LlmConfigurationException([$"the campaign YAML does not parse: {e.Message}"]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return new LlmOptions();
        return root.Children.TryGetValue(new YamlScalarNode("llm"), out var llm) ? Read(llm, environment) : new LlmOptions();
    }

    /// <summary>Reads the node under <c>llm:</c> (a mapping). Throws <see cref="LlmConfigurationException"/> listing every problem.</summary>
    public static LlmOptions Read(YamlNode llmSection, Func<string, string?>? environment = null)
    {
        var errors = new List<string>();
        var substitute = new Substitution(environment ?? Environment.GetEnvironmentVariable, errors);
        var options = new LlmOptions();
        if (llmSection is not YamlMappingNode mapping)
        {
            throw new LlmConfigurationException([$"llm must be a mapping of settings (endpoint, model, api_key_env, researcher, …); got {Describe(llmSection)}."]);
        }
        var top = new Section(mapping, "llm", errors, substitute);
        options.Defaults = ReadEndpoint(top);
        ReadAgent(top, "researcher", options.Researcher, r =>
        {
            if (r.Choice("mode", ["full", "diff"]) is { } mode) options.Researcher.Mode = mode == "diff" ? ProposalMode.Diff : ProposalMode.Full;
            if (r.Int("prompt_token_budget") is { } budget) options.Researcher.PromptTokenBudget = budget;
            foreach (var entry in r.List("models"))
            {
                var weighted = new WeightedModel { Settings = ReadEndpoint(entry) };
                if (entry.Double("weight") is { } w) weighted.Weight = w;
                entry.RejectUnknown();
                options.Researcher.Models.Add(weighted);
            }
        });
        ReadAgent(top, "debugger", options.Debugger, null);
        ReadAgent(top, "analyzer", options.Analyzer, null);
        ReadAgent(top, "novelty", options.Novelty, null);
        if (top.Has("judge")) options.Judge.Enabled = true;
        ReadAgent(top, "judge", options.Judge, null);
        if (top.Child("retry") is { } retry)
        {
            if (retry.Int("max_attempts") is { } a) options.Retry.MaxAttempts = a;
            if (retry.Double("initial_delay_seconds") is { } i) options.Retry.InitialDelaySeconds = i;
            if (retry.Double("max_delay_seconds") is { } m) options.Retry.MaxDelaySeconds = m;
            if (retry.Double("max_retry_after_seconds") is { } r) options.Retry.MaxRetryAfterSeconds = r;
            retry.RejectUnknown();
        }
        if (top.Child("prices") is { } prices)
        {
            foreach (var model in prices.Keys())
            {
                if (prices.Child(model) is not { } price) continue;
                var input = price.Double("input_per_million", required: true);
                var output = price.Double("output_per_million", required: true);
                price.RejectUnknown();
                if (input is { } inp && output is { } outp) options.Prices[model] = new ModelPrice(inp, outp);
            }
        }
        if (top.Child("embeddings") is { } embeddings)
        {
            var e = new LlmEmbeddingsOptions
            {
                Endpoint = embeddings.String("endpoint", required: true) ?? "",
                Model = embeddings.String("model", required: true) ?? "",
                ApiKeyEnv = embeddings.String("api_key_env"),
                Dimensions = embeddings.Int("dimensions"),
            };
            if (embeddings.Double("timeout_seconds") is { } t) e.TimeoutSeconds = t;
            embeddings.RejectUnknown();
            options.Embeddings = e;
        }
        top.RejectUnknown();
        // Report what the values mean too, not only how they were written: one run of the reader shows every problem.
        errors.AddRange(options.Validate());
        return errors.Count == 0 ? options : throw new LlmConfigurationException(errors);
    }

    private static void ReadAgent(Section top, string key, LlmAgentOptions agent, Action<Section>? more)
    {
        if (top.Child(key) is not { } section) return;
        if (section.Bool("enabled") is { } enabled) agent.Enabled = enabled;
        agent.Settings = ReadEndpoint(section);
        more?.Invoke(section);
        section.RejectUnknown();
    }

    private static LlmEndpointSettings ReadEndpoint(Section s)
    {
        var settings = new LlmEndpointSettings
        {
            Endpoint = s.String("endpoint"),
            Model = s.String("model"),
            ApiKeyEnv = s.String("api_key_env"),
            Temperature = s.Double("temperature"),
            TopP = s.Double("top_p"),
            MaxTokens = s.Int("max_tokens"),
            TimeoutSeconds = s.Double("timeout_seconds"),
        };
        if (s.Child("extra") is { } extra)
        {
            settings.Extra = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var name in extra.Keys()) settings.Extra[name] = extra.Value(name);
        }
        return settings;
    }

    private static string Describe(YamlNode? node) => node switch
    {
        null => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        _ => "a mapping",
    };

    /// <summary>One mapping and the keys asked of it.</summary>
    /// <summary>Replaces ${NAME} and ${NAME:-default} in a value; an unset variable without default is an error naming the key.</summary>
    private sealed partial class Substitution(Func<string, string?> environment, List<string> errors)
    {
        public string Apply(string path, string value) => Reference().Replace(value, match =>
        {
            var name = match.Groups["name"].Value;
            if (environment(name) is { Length: > 0 } found) return found;
            if (match.Groups["default"].Success) return match.Groups["default"].Value;
            errors.Add($"{path}: ${{{name}}} refers to an environment variable that is not set; set it or write ${{{name}:-default}}.");
            return match.Value;
        });

        [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:-(?<default>[^}]*))?\}")]
        private static partial Regex Reference();
    }

    private sealed class Section(YamlMappingNode node, string path, List<string> errors, Substitution substitute)
    {
        private readonly HashSet<string> _known = new(StringComparer.Ordinal);

        public bool Has(string key) => Find(key) is not null;

        public IEnumerable<string> Keys()
        {
            foreach (var key in node.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                _known.Add(name);
                yield return name;
            }
        }

        public Section? Child(string key)
        {
            var found = Find(key);
            if (found is null) return null;
            if (found is YamlMappingNode m) return new Section(m, $"{path}.{key}", errors, substitute);
            errors.Add($"{path}.{key} must be a mapping of settings; got {Describe(found)}.");
            return null;
        }

        public IEnumerable<Section> List(string key)
        {
            var found = Find(key);
            if (found is null) yield break;
            if (found is not YamlSequenceNode sequence)
            {
                errors.Add($"{path}.{key} must be a list; got {Describe(found)}.");
                yield break;
            }
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                if (sequence.Children[i] is YamlMappingNode m) yield return new Section(m, $"{path}.{key}[{i}]", errors, substitute);
                else errors.Add($"{path}.{key}[{i}] must be a mapping (model, weight, …); got {Describe(sequence.Children[i])}.");
            }
        }

        public string? String(string key, bool required = false)
        {
            var found = Find(key);
            if (found is null)
            {
                if (required) errors.Add($"{path}.{key} is required.");
                return null;
            }
            if (found is YamlScalarNode { Value: { Length: > 0 } value } && substitute.Apply($"{path}.{key}", value) is { Length: > 0 } substituted)
                return substituted;
            errors.Add($"{path}.{key} must be a non-empty string; got {Describe(found)}.");
            return null;
        }

        public string? Choice(string key, string[] allowed)
        {
            var value = String(key);
            if (value is null || allowed.Contains(value, StringComparer.Ordinal)) return value;
            errors.Add($"{path}.{key} must be one of {string.Join(", ", allowed)}; got '{value}'.");
            return null;
        }

        public double? Double(string key, bool required = false)
        {
            var text = String(key, required);
            if (text is null) return null;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)) return value;
            errors.Add($"{path}.{key} must be a number; got '{text}'.");
            return null;
        }

        public int? Int(string key)
        {
            var text = String(key);
            if (text is null) return null;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
            errors.Add($"{path}.{key} must be a whole number; got '{text}'.");
            return null;
        }

        public bool? Bool(string key)
        {
            var text = String(key);
            if (text is null) return null;
            if (bool.TryParse(text, out var value)) return value;
            errors.Add($"{path}.{key} must be true or false; got '{text}'.");
            return null;
        }

        /// <summary>A free-form value (extra request fields): scalars typed as JSON would type them, lists and maps kept.</summary>
        public object? Value(string key) => Convert(Find(key), $"{path}.{key}");

        private object? Convert(YamlNode? node, string at) => node switch
        {
            YamlScalarNode { Value: null or "null" or "~" } => null,
            YamlScalarNode s when s.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted => substitute.Apply(at, s.Value),
            YamlScalarNode s => Typed(substitute.Apply(at, s.Value)),
            YamlSequenceNode seq => seq.Children.Select((c, i) => Convert(c, $"{at}[{i}]")).ToList(),
            YamlMappingNode map => map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value ?? "", p => Convert(p.Value, $"{at}.{((YamlScalarNode)p.Key).Value}")),
            _ => null,
        };

        /// <summary>An unquoted scalar as JSON would type it: true/false, whole number, number, else text.</summary>
        private static object Typed(string text) =>
            text == "true" ? true
            : text == "false" ? false
            : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
            : text;

        public void RejectUnknown()
        {
            foreach (var key in node.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? key.ToString();
                if (!_known.Contains(name))
                    errors.Add($"{path}.{name}: unknown key; allowed here: {string.Join(", ", _known.Order(StringComparer.Ordinal))}.");
            }
        }

        private YamlNode? Find(string key)
        {
            _known.Add(key);
            return node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
        }
    }
}
