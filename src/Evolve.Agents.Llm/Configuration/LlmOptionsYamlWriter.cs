using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Evolve.Agents.Llm;

public static partial class LlmOptionsYaml
{
    /// <summary>
    /// The options as a YAML document with one <c>llm:</c> key that <see cref="Parse"/> reads back to the same settings:
    /// for the campaign's saved effective configuration, which workers reopen. Holds variable names, never keys.
    /// </summary>
    public static string Write(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var llm = new YamlMappingNode();
        AddEndpoint(llm, options.Defaults);
        foreach (var agent in Enum.GetValues<LlmAgentKind>())
        {
            var section = options.Section(agent);
            var node = new YamlMappingNode();
            // The judge runs only when its section is present, so a disabled judge is written only if it says more.
            if (agent == LlmAgentKind.Judge ? section.Enabled || !section.Settings.IsEmpty : !section.Enabled)
                node.Add("enabled", Plain(section.Enabled));
            AddEndpoint(node, section.Settings);
            if (agent == LlmAgentKind.Researcher)
            {
                node.Add("mode", options.Researcher.Mode == ProposalMode.Diff ? "diff" : "full");
                node.Add("prompt_token_budget", Plain(options.Researcher.PromptTokenBudget));
                if (options.Researcher.Models.Count > 0)
                {
                    var models = new YamlSequenceNode();
                    foreach (var model in options.Researcher.Models)
                    {
                        var entry = new YamlMappingNode();
                        AddEndpoint(entry, model.Settings);
                        entry.Add("weight", Plain(model.Weight));
                        models.Add(entry);
                    }
                    node.Add("models", models);
                }
            }
            if (node.Children.Count > 0) llm.Add(agent.ConfigName(), node);
        }
        llm.Add("retry", new YamlMappingNode(
            new YamlScalarNode("max_attempts"), Plain(options.Retry.MaxAttempts),
            new YamlScalarNode("initial_delay_seconds"), Plain(options.Retry.InitialDelaySeconds),
            new YamlScalarNode("max_delay_seconds"), Plain(options.Retry.MaxDelaySeconds),
            new YamlScalarNode("max_retry_after_seconds"), Plain(options.Retry.MaxRetryAfterSeconds)));
        if (options.Prices.Count > 0)
        {
            var prices = new YamlMappingNode();
            foreach (var (model, price) in options.Prices.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                prices.Add(Quoted(model), new YamlMappingNode(
                    new YamlScalarNode("input_per_million"), Plain(price.InputPerMillion),
                    new YamlScalarNode("output_per_million"), Plain(price.OutputPerMillion)));
            }
            llm.Add("prices", prices);
        }
        if (options.Embeddings is { } e)
        {
            var embeddings = new YamlMappingNode { { "endpoint", Quoted(e.Endpoint) }, { "model", Quoted(e.Model) } };
            if (e.ApiKeyEnv is not null) embeddings.Add("api_key_env", Quoted(e.ApiKeyEnv));
            if (e.Dimensions is { } d) embeddings.Add("dimensions", Plain(d));
            embeddings.Add("timeout_seconds", Plain(e.TimeoutSeconds));
            llm.Add("embeddings", embeddings);
        }

        var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(new YamlMappingNode { { "llm", llm } })).Save(writer, assignAnchors: false);
        return writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('.', '\n', ' ') + "\n";
    }

    private static void AddEndpoint(YamlMappingNode node, LlmEndpointSettings s)
    {
        if (s.Endpoint is not null) node.Add("endpoint", Quoted(s.Endpoint));
        if (s.Model is not null) node.Add("model", Quoted(s.Model));
        if (s.ApiKeyEnv is not null) node.Add("api_key_env", Quoted(s.ApiKeyEnv));
        if (s.Temperature is { } t) node.Add("temperature", Plain(t));
        if (s.TopP is { } p) node.Add("top_p", Plain(p));
        if (s.MaxTokens is { } m) node.Add("max_tokens", Plain(m));
        if (s.TimeoutSeconds is { } timeout) node.Add("timeout_seconds", Plain(timeout));
        if (s.Extra is { } extra)
        {
            var map = new YamlMappingNode();
            foreach (var (key, value) in extra) map.Add(Quoted(key), ValueNode(value));
            node.Add("extra", map);
        }
    }

    private static YamlNode ValueNode(object? value) => value switch
    {
        null => new YamlScalarNode("null"),
        bool b => Plain(b),
        long or int or double or float or decimal => new YamlScalarNode(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        string s => Quoted(s),
        IReadOnlyDictionary<string, object?> map => new YamlMappingNode(map.Select(p => new KeyValuePair<YamlNode, YamlNode>(Quoted(p.Key), ValueNode(p.Value)))),
        IDictionary<string, object?> map => new YamlMappingNode(map.Select(p => new KeyValuePair<YamlNode, YamlNode>(Quoted(p.Key), ValueNode(p.Value)))),
        System.Collections.IEnumerable list => new YamlSequenceNode(list.Cast<object?>().Select(ValueNode)),
        _ => Quoted(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    private static YamlScalarNode Plain(bool value) => new(value ? "true" : "false");

    private static YamlScalarNode Plain(double value) => new(value.ToString("R", CultureInfo.InvariantCulture));

    private static YamlScalarNode Plain(int value) => new(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Double-quoted, so text that looks like a number or a boolean stays text when read back.</summary>
    private static YamlScalarNode Quoted(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };
}
