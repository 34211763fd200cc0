using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Evolve.Agents.Llm;
using Evolve.Tasks;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Evolve.Core.IO;

namespace Evolve.Workflows.Configuration;

/// <summary>One layer of raw values ("section.key" → text) and its name for messages ("task.yaml", "--rounds", …).</summary>
/// <param name="Errors">Problems found while reading the layer (unknown keys, …); reported by <see cref="CampaignConfiguration.Build"/> with all others.</param>
/// <param name="Llm">The layer's <c>llm:</c> section (a nested document read by <see cref="LlmOptionsYaml"/>); the last layer that has one wins as a whole.</param>
public sealed record ConfigLayer(string Name, IReadOnlyDictionary<string, string?> Values, bool SubstituteEnvironment = false,
    IReadOnlyList<string>? Errors = null, YamlNode? Llm = null);

/// <summary>The value a key ended with and the layer it came from.</summary>
public sealed record EffectiveValue(SettingDefinition Setting, object? Value, string Source);

/// <summary>
/// Campaign settings in layers: built-in defaults → the task's task.yaml → an optional campaign YAML file →
/// ${ENV} substitution (in file values) → CLI flags. Every problem is reported at once, naming the key, the layer and the
/// allowed values; unknown keys are errors.
/// </summary>
public sealed class CampaignConfiguration
{
    public const string EffectiveFileName = "config.effective.yaml";

    /// <summary>The section of the LLM agents' settings (see src/Evolve.Agents.Llm/README.md).</summary>
    public const string LlmSection = "llm";

    private static string AllSections => string.Join(", ", [.. CampaignSettingKeys.Sections, LlmSection]);

    private static readonly Regex EnvironmentReference = new(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:-(?<default>[^}]*))?\}", RegexOptions.Compiled);

    private CampaignConfiguration(IReadOnlyList<EffectiveValue> values, CampaignSettings settings)
    {
        Values = values;
        Settings = settings;
    }

    /// <summary>Every key with its final value and source, in definition order.</summary>
    public IReadOnlyList<EffectiveValue> Values { get; }

    public CampaignSettings Settings { get; }

    /// <summary>The task's defaults as a layer (task.yaml's sampler and budgets sections, and the task name as campaign id).</summary>
    public static ConfigLayer TaskLayer(TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var b = task.Budgets;
        var s = task.Sampler;
        return new ConfigLayer("task.yaml", new Dictionary<string, string?>
        {
            ["campaign.id"] = task.Name,
            ["budgets.rounds"] = I(b.Rounds),
            ["budgets.parallel"] = I(b.Parallel),
            ["budgets.target_score"] = b.TargetScore is { } t ? D(t) : null,
            ["budgets.wall_time_minutes"] = b.WallTime is { } w ? D(w.TotalMinutes) : null,
            ["budgets.debug_retries"] = I(b.DebugRetries),
            ["sampler.kind"] = s.Kind,
            ["sampler.c"] = D(s.UcbC),
            ["sampler.top_k"] = I(s.TopK),
            ["sampler.top_m"] = I(s.TopM),
            ["sampler.islands"] = I(s.Islands),
            ["sampler.migration_interval"] = I(s.MigrationInterval),
            ["sampler.migration_rate"] = D(s.MigrationRate),
        });

        static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
        static string D(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a campaign YAML file (sections of scalar settings) as a layer; ${ENV} references are substituted later.</summary>
    /// <exception cref="CampaignConfigurationException">The file is missing. Unknown keys, non-scalar values and YAML syntax errors are reported by <see cref="Build"/>.</exception>
    public static ConfigLayer FileLayer(string path, bool substituteEnvironment = true)
    {
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        if (!File.Exists(full)) throw new CampaignConfigurationException([$"{full}: the configuration file does not exist"]);
        var errors = new List<string>();
        // The saved file also names the task (for readers such as `evolve status`); a campaign file may not choose it.
        var values = ParseYaml(File.ReadAllText(full), name, errors, out var llm, allowTaskName: name == EffectiveFileName);
        return new ConfigLayer(name, values, substituteEnvironment, errors, llm);
    }

    /// <summary>Flags as a layer; <paramref name="assignments"/> are "section.key=value" pairs (--set).</summary>
    public static ConfigLayer FlagLayer(IReadOnlyDictionary<string, string?> flags, IEnumerable<string>? assignments = null)
    {
        var values = new Dictionary<string, string?>(flags, StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var assignment in assignments ?? [])
        {
            var equals = assignment.IndexOf('=');
            if (equals <= 0)
            {
                errors.Add($"--set '{assignment}': expected section.key=value, e.g. --set budgets.max_cost_usd=5");
                continue;
            }
            values[assignment[..equals].Trim()] = assignment[(equals + 1)..];
        }
        if (errors.Count > 0) throw new CampaignConfigurationException(errors);
        return new ConfigLayer("command line", values);
    }

    /// <summary>Applies the layers in order over the built-in defaults and validates the result.</summary>
    /// <param name="environment">Looks up environment variables (tests pass their own).</param>
    /// <exception cref="CampaignConfigurationException">Every problem found, each naming its key and layer.</exception>
    public static CampaignConfiguration Build(IReadOnlyList<ConfigLayer> layers, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var errors = new List<string>();
        var raw = CampaignSettingKeys.All.ToDictionary(d => d.Key, d => (Value: d.Default, Source: "default"), StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            errors.AddRange(layer.Errors ?? []);
            foreach (var (key, value) in layer.Values)
            {
                if (CampaignSettingKeys.Find(key) is null)
                {
                    errors.Add(UnknownKey(key, layer.Name));
                    continue;
                }
                raw[key] = (layer.SubstituteEnvironment ? Substitute(key, value, layer.Name, environment, errors) : value, layer.Name);
            }
        }

        var settings = new CampaignSettings();
        var effective = new List<EffectiveValue>();
        foreach (var setting in CampaignSettingKeys.All)
        {
            var (text, source) = raw[setting.Key];
            if (!setting.TryParse(text, out var value, out var error))
            {
                errors.Add($"{setting.Key} {error} (from {source})");
                continue;
            }
            setting.Apply(settings, value);
            effective.Add(new EffectiveValue(setting, value, source));
        }
        if (layers.LastOrDefault(l => l.Llm is not null) is { } llmLayer)
        {
            try
            {
                settings.Llm = LlmOptionsYaml.Read(llmLayer.Llm!, llmLayer.SubstituteEnvironment ? environment : _ => null);
            }
            catch (LlmConfigurationException e)
            {
                errors.AddRange(e.Errors.Select(error => $"{error} (in {llmLayer.Name})"));
            }
        }

        if (errors.Count == 0)
        {
            if (string.IsNullOrWhiteSpace(settings.CampaignId) || settings.CampaignId.IndexOfAny(['/', '\\', ':']) >= 0)
                errors.Add($"campaign.id is '{settings.CampaignId}'; allowed: a non-empty name without '/', '\\' or ':'");
            if (settings.Sampler.ContextPoolSize < settings.Sampler.RootPoolSize)
                errors.Add($"sampler.top_m ({settings.Sampler.ContextPoolSize}) must be at least sampler.top_k ({settings.Sampler.RootPoolSize}): context comes from a pool that includes the roots");
            errors.AddRange(settings.Sampler.Validate());
        }
        if (errors.Count > 0) throw new CampaignConfigurationException(errors);
        return new CampaignConfiguration(effective, settings);
    }

    /// <summary>Reads the effective configuration a campaign saved when it started.</summary>
    public static CampaignConfiguration LoadEffective(string campaignDirectory) =>
        Build([FileLayer(Path.Combine(campaignDirectory, EffectiveFileName), substituteEnvironment: false)]);

    /// <summary>The keys whose values differ from <paramref name="other"/>'s.</summary>
    public IReadOnlyList<string> DifferencesFrom(CampaignConfiguration other)
    {
        var theirs = other.Values.ToDictionary(v => v.Setting.Key, v => SettingDefinition.Format(v.Value), StringComparer.Ordinal);
        return Values.Where(v => !theirs.TryGetValue(v.Setting.Key, out var value) || value != SettingDefinition.Format(v.Value))
            .Select(v => $"{v.Setting.Key}: {theirs.GetValueOrDefault(v.Setting.Key) ?? "unset"} -> {SettingDefinition.Format(v.Value)}")
            .ToList();
    }

    /// <summary>YAML with one commented line per key (where its value came from), readable back by <see cref="LoadEffective"/>.</summary>
    /// <param name="taskName">Written as the top-level <c>task</c> key (informational: the task is given to `evolve run`).</param>
    public string ToYaml(string? taskName = null)
    {
        var text = new StringBuilder();
        text.AppendLine("# Effective configuration of this campaign: defaults -> task.yaml -> campaign YAML -> ${ENV} -> CLI flags.");
        text.AppendLine("# Written when the campaign started; a resumed campaign keeps it.");
        if (taskName is not null) text.Append("task: '").Append(taskName.Replace("'", "''", StringComparison.Ordinal)).AppendLine("'");
        foreach (var section in Values.GroupBy(v => v.Setting.Section))
        {
            text.Append(section.Key).AppendLine(":");
            foreach (var value in section)
            {
                var formatted = SettingDefinition.Format(value.Value);
                if (value.Setting.Kind == SettingKind.Text) formatted = "'" + formatted.Replace("'", "''", StringComparison.Ordinal) + "'";
                text.Append("  ").Append(value.Setting.Name).Append(": ").Append(formatted)
                    .Append("  # ").Append(value.Setting.Description).Append(" [").Append(value.Source).AppendLine("]");
            }
        }
        if (Settings.Llm.AnyConfigured)
        {
            text.AppendLine("# LLM agents (API keys are read from the variables named by api_key_env, never stored).");
            text.Append(LlmOptionsYaml.Write(Settings.Llm));
        }
        return text.ToString();
    }

    /// <summary>Writes <see cref="EffectiveFileName"/> into the campaign directory atomically (temp file, then rename).</summary>
    public string Save(string campaignDirectory, string? taskName = null)
    {
        Directory.CreateDirectory(campaignDirectory);
        var path = Path.Combine(Path.GetFullPath(campaignDirectory), EffectiveFileName);
        AtomicFile.WriteAllText(path, ToYaml(taskName));
        return path;
    }

    private static Dictionary<string, string?> ParseYaml(string yaml, string source, List<string> errors, out YamlNode? llm, bool allowTaskName = false)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        llm = null;
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0) return values;
            if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                errors.Add($"{source}: must be a mapping of sections ({AllSections}) to settings");
                return values;
            }
            root = mapping;
        }
        catch (YamlException e)
        {
            errors.Add($"{source}: line {e.Start.Line}, column {e.Start.Column}: YAML syntax error: {e.InnerException?.Message ?? e.Message}");
            return values;
        }

        foreach (var (sectionNode, body) in root.Children)
        {
            var section = (sectionNode as YamlScalarNode)?.Value ?? sectionNode.ToString();
            if (allowTaskName && section == "task" && body is YamlScalarNode) continue;
            if (section == LlmSection)
            {
                llm = body; // nested settings with their own reader and their own unknown-key check
                continue;
            }
            if (!CampaignSettingKeys.Sections.Contains(section))
            {
                errors.Add($"{section}: unknown section (in {source}); allowed sections: {AllSections}");
                continue;
            }
            if (body is not YamlMappingNode settings)
            {
                errors.Add($"{section}: must be a mapping of settings (in {source}); allowed keys: {AllowedIn(section)}");
                continue;
            }
            foreach (var (keyNode, valueNode) in settings.Children)
            {
                var key = $"{section}.{(keyNode as YamlScalarNode)?.Value ?? keyNode.ToString()}";
                if (CampaignSettingKeys.Find(key) is null)
                {
                    errors.Add(UnknownKey(key, source));
                    continue;
                }
                if (valueNode is not YamlScalarNode scalar)
                {
                    errors.Add($"{key}: must be a single value (in {source}); allowed: {CampaignSettingKeys.Find(key)!.Allowed}");
                    continue;
                }
                values[key] = scalar.Value;
            }
        }
        return values;
    }

    private static string UnknownKey(string key, string source)
    {
        var dot = key.IndexOf('.');
        var section = dot < 0 ? key : key[..dot];
        return CampaignSettingKeys.Sections.Contains(section)
            ? $"{key}: unknown key (in {source}); allowed in {section}: {AllowedIn(section)}"
            : $"{key}: unknown key (in {source}); keys are section.name with sections {string.Join(", ", CampaignSettingKeys.Sections)}";
    }

    private static string AllowedIn(string section) =>
        string.Join(", ", CampaignSettingKeys.All.Where(d => d.Section == section).Select(d => d.Name));

    private static string? Substitute(string key, string? value, string source, Func<string, string?> environment, List<string> errors)
    {
        if (value is null || !value.Contains("${", StringComparison.Ordinal)) return value;
        return EnvironmentReference.Replace(value, match =>
        {
            var name = match.Groups["name"].Value;
            if (environment(name) is { } set) return set;
            if (match.Groups["default"].Success) return match.Groups["default"].Value;
            errors.Add($"{key}: environment variable {name} is not set (used as ${{{name}}} in {source}); set it, or give a default as ${{{name}:-value}}");
            return match.Value;
        });
    }
}

/// <summary>The configuration is invalid; <see cref="Errors"/> lists every problem, each naming its key.</summary>
public sealed class CampaignConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid campaign configuration:\n  - " + string.Join("\n  - ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
