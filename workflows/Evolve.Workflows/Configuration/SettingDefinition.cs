using System.Globalization;
using Evolve.Sampling;

namespace Evolve.Workflows.Configuration;

public enum SettingKind
{
    Text,
    Integer,
    Number,
    Choice,
}

/// <summary>One campaign setting: its key, what it accepts, its built-in default and where its value goes.</summary>
/// <param name="Key">"section.name", as written in a campaign YAML file and in --set.</param>
/// <param name="Description">One line for the effective configuration file and --help.</param>
/// <param name="Optional">True when "none" (or null) is a valid value, meaning "no limit".</param>
public sealed record SettingDefinition(
    string Key,
    string Description,
    SettingKind Kind,
    string? Default,
    bool Optional,
    double Min,
    double Max,
    IReadOnlyList<string>? Choices,
    Action<CampaignSettings, object?> Apply)
{
    public string Section => Key[..Key.IndexOf('.')];

    public string Name => Key[(Key.IndexOf('.') + 1)..];

    /// <summary>What the key accepts, for error messages.</summary>
    public string Allowed
    {
        get
        {
            var text = Kind switch
            {
                SettingKind.Text => "a non-empty text",
                SettingKind.Choice => "one of " + string.Join(", ", Choices!),
                SettingKind.Integer => $"a whole number {Range()}",
                _ => $"a number {Range()}",
            };
            return Optional ? text + ", or none" : text;
        }
    }

    private string Range() =>
        Min <= double.MinValue / 2 ? "(any finite value)"
        : Max >= long.MaxValue / 2 ? $">= {F(Min)}"
        : $"between {F(Min)} and {F(Max)}";

    private static string F(double value) => value.ToString(CultureInfo.InvariantCulture);

    public static bool IsNone(string? raw) =>
        raw is null || raw.Trim() is "" or "~" || raw.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ||
        raw.Trim().Equals("null", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a raw value; on failure <paramref name="error"/> says what is wrong (without the key).</summary>
    public bool TryParse(string? raw, out object? value, out string? error)
    {
        value = null;
        error = null;
        if (IsNone(raw))
        {
            if (Optional) return true;
            error = $"must be set; allowed: {Allowed}";
            return false;
        }
        var text = raw!.Trim();
        switch (Kind)
        {
            case SettingKind.Text:
                value = text;
                return true;
            case SettingKind.Choice:
                var choice = Choices!.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase));
                if (choice is not null)
                {
                    value = choice;
                    return true;
                }
                break;
            case SettingKind.Integer:
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) && whole >= Min && whole <= Max)
                {
                    value = whole;
                    return true;
                }
                break;
            case SettingKind.Number:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) &&
                    number >= Min && number <= Max)
                {
                    value = number;
                    return true;
                }
                break;
        }
        error = $"is '{text}'; allowed: {Allowed}";
        return false;
    }

    /// <summary>The value as written in the effective configuration file.</summary>
    public static string Format(object? value) => value switch
    {
        null => "none",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>Every campaign setting. Nothing here is decorative: each key is applied to <see cref="CampaignSettings"/> and used.</summary>
public static class CampaignSettingKeys
{
    private const double Unbounded = long.MaxValue;

    public static IReadOnlyList<SettingDefinition> All { get; } =
    [
        Text("campaign.id", "campaign name; defaults to the task name", null, (s, v) => s.CampaignId = (string)v!),
        Integer("campaign.seed", "seed of the sampler and the offline researcher", "42", 0, Unbounded, (s, v) => s.Seed = (ulong)(long)v!),

        Integer("budgets.rounds", "evolution rounds after the seed round 0", "40", 1, 1_000_000, (s, v) => s.Rounds = (int)(long)v!),
        Integer("budgets.parallel", "rounds in flight at once", "2", 1, 64, (s, v) => s.Parallel = (int)(long)v!),
        Number("budgets.target_score", "stop once the best score reaches this", null, double.MinValue, double.MaxValue, (s, v) => s.TargetScore = (double?)v, optional: true),
        Number("budgets.wall_time_minutes", "stop starting rounds after this many minutes", null, 0.001, Unbounded, (s, v) => s.WallTimeMinutes = (double?)v, optional: true),
        Integer("budgets.debug_retries", "repair attempts for a candidate that fails the static check", "2", 0, 100, (s, v) => s.DebugRetries = (int)(long)v!),
        Integer("budgets.max_tokens", "stop once the nodes' tokens (input + output) reach this", null, 1, Unbounded, (s, v) => s.MaxTokens = (long?)v, optional: true),
        Number("budgets.max_cost_usd", "stop once the nodes' cost in USD reaches this", null, 0, Unbounded, (s, v) => s.MaxCostUsd = (double?)v, optional: true),

        Choice("sampler.kind", "how roots are chosen", "ucb1", SamplerOptions.Kinds, (s, v) => s.Sampler.Kind = (string)v!),
        Number("sampler.c", "UCB1 exploration constant", "1.414", 0, Unbounded, (s, v) => s.Sampler.Ucb1.C = (double)v!),
        Integer("sampler.top_k", "roots come from the top-k ok nodes", "10", 1, 100_000, (s, v) => s.Sampler.RootPoolSize = (int)(long)v!),
        Integer("sampler.top_m", "context nodes come from the top-m ok nodes", "50", 1, 100_000, (s, v) => s.Sampler.ContextPoolSize = (int)(long)v!),
        Integer("sampler.context_count", "context nodes shown to the researcher per round", "4", 0, 100, (s, v) => s.Sampler.ContextCount = (int)(long)v!),
        Integer("sampler.lesson_count", "failed nodes shown to the researcher as lessons per round", "3", 0, 100, (s, v) => s.Sampler.LessonCount = (int)(long)v!),
        Integer("sampler.islands", "MAP-Elites islands", "4", 1, 1024, (s, v) => s.Sampler.MapElites.Islands = (int)(long)v!),
        Integer("sampler.migration_interval", "MAP-Elites rounds between ring migrations (0 = never)", "10", 0, 1_000_000, (s, v) => s.Sampler.MapElites.MigrationInterval = (int)(long)v!),
        Number("sampler.migration_rate", "MAP-Elites share of elites migrated", "0.1", 0.000001, 1, (s, v) => s.Sampler.MapElites.MigrationRate = (double)v!),

        Integer("cognition.top_k", "cognition items retrieved per round", "4", 0, 100, (s, v) => s.CognitionTopK = (int)(long)v!),
        Number("cognition.min_similarity", "retrieved items are at least this similar to the query", "0.05", -1, 1, (s, v) => s.CognitionMinSimilarity = (double)v!),
        Number("cognition.merge_threshold", "analyzer insights this similar to an item are merged into it", "0.9", 0.000001, 1, (s, v) => s.CognitionMergeThreshold = (double)v!),

        Number("novelty.similarity_threshold", "candidates this similar to a node are near duplicates (1 = exact duplicates only)", "0.95", 0.000001, 1, (s, v) => s.NoveltySimilarityThreshold = (double)v!),

        Number("judge.weight", "share of the LLM judge's 0-1 rubric score in a node's score (used only when llm.judge is configured)", "0.2", 0, 1, (s, v) => s.JudgeWeight = (double)v!),

        Integer("workflow.continue_as_new_every", "rounds per campaign history before it continues as new", "25", 1, 100_000, (s, v) => s.ContinueAsNewEvery = (int)(long)v!),
        Number("workflow.outage_backoff_seconds", "wait before re-running a round whose agent endpoint was down", "60", 0.001, 7 * 24 * 3600, (s, v) => s.OutageBackoffSeconds = (double)v!),
        Integer("workflow.activity_attempts", "attempts of an activity that failed unexpectedly", "3", 1, 100, (s, v) => s.ActivityAttempts = (int)(long)v!),

        // Progress of long evaluation stages.
        Number("workflow.progress_interval_seconds", "how often a running evaluation stage's progress is read into the round's status (0 = never)", "30", 0, 24 * 3600,
            (s, v) => s.ProgressIntervalSeconds = (double)v!),
    ];

    public static IReadOnlyList<string> Sections { get; } = All.Select(d => d.Section).Distinct().ToList();

    public static SettingDefinition? Find(string key) => All.FirstOrDefault(d => d.Key == key);

    private static SettingDefinition Text(string key, string description, string? @default, Action<CampaignSettings, object?> apply) =>
        new(key, description, SettingKind.Text, @default, false, 0, 0, null, apply);

    private static SettingDefinition Integer(string key, string description, string? @default, double min, double max, Action<CampaignSettings, object?> apply, bool optional = false) =>
        new(key, description, SettingKind.Integer, @default, optional, min, max, null, apply);

    private static SettingDefinition Number(string key, string description, string? @default, double min, double max, Action<CampaignSettings, object?> apply, bool optional = false) =>
        new(key, description, SettingKind.Number, @default, optional, min, max, null, apply);

    private static SettingDefinition Choice(string key, string description, string @default, IReadOnlyList<string> choices, Action<CampaignSettings, object?> apply) =>
        new(key, description, SettingKind.Choice, @default, false, 0, 0, choices, apply);
}
