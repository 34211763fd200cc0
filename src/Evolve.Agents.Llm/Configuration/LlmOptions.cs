using System.Globalization;

namespace Evolve.Agents.Llm;

/// <summary>
/// The <c>llm:</c> section of a campaign: the default endpoint and sampling settings every agent inherits, per-agent
/// overrides, the researcher's models and mode, the price table, retries and embeddings. Nothing configured (no
/// endpoint anywhere) means the offline agents run.
/// </summary>
public sealed class LlmOptions
{
    /// <summary>Settings every agent inherits unless its own section overrides them.</summary>
    public LlmEndpointSettings Defaults { get; set; } = new();

    public LlmResearcherOptions Researcher { get; set; } = new();
    public LlmAgentOptions Debugger { get; set; } = new();
    public LlmAgentOptions Analyzer { get; set; } = new();
    public LlmAgentOptions Novelty { get; set; } = new();

    /// <summary>The rubric judge is optional: it runs only when this section is present and enabled.</summary>
    public LlmAgentOptions Judge { get; set; } = new() { Enabled = false };

    public LlmRetryOptions Retry { get; set; } = new();

    /// <summary>USD per million tokens, by model name (exact match). A model without an entry costs 0.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.Ordinal);

    /// <summary>OpenAI-compatible embeddings endpoint; when absent the local hashing embedder is used.</summary>
    public LlmEmbeddingsOptions? Embeddings { get; set; }

    /// <summary>Effective settings of one agent: its own values over <see cref="Defaults"/>.</summary>
    public LlmEndpointSettings For(LlmAgentKind agent) => Section(agent).Settings.Over(Defaults);

    /// <summary>True when the agent is enabled and has an endpoint and model (its own or inherited).</summary>
    public bool IsConfigured(LlmAgentKind agent)
    {
        if (!Section(agent).Enabled) return false;
        if (agent == LlmAgentKind.Researcher && Researcher.Models.Count > 0)
            return Researcher.Models.All(m => m.Settings.Over(For(agent)).HasEndpoint);
        return For(agent).HasEndpoint;
    }

    public bool AnyConfigured => Enum.GetValues<LlmAgentKind>().Any(IsConfigured) || Embeddings is not null;

    public LlmAgentOptions Section(LlmAgentKind agent) => agent switch
    {
        LlmAgentKind.Researcher => Researcher,
        LlmAgentKind.Debugger => Debugger,
        LlmAgentKind.Analyzer => Analyzer,
        LlmAgentKind.Novelty => Novelty,
        LlmAgentKind.Judge => Judge,
        _ => throw new ArgumentOutOfRangeException(nameof(agent), agent, "unknown agent"),
    };

    /// <summary>USD for the tokens of one call; 0 when the model has no price.</summary>
    public double CostUsd(string model, long inputTokens, long outputTokens) =>
        Prices.TryGetValue(model, out var price)
            ? (inputTokens * price.InputPerMillion + outputTokens * price.OutputPerMillion) / 1_000_000.0
            : 0;

    /// <summary>Every problem, each naming its key (as written in YAML under <c>llm:</c>) and the allowed values.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Defaults.Validate("llm", errors);
        foreach (var agent in Enum.GetValues<LlmAgentKind>())
        {
            var section = Section(agent);
            var path = "llm." + agent.ConfigName();
            section.Settings.Validate(path, errors);
            // A section that says something but leaves endpoint or model unknown is a half-done configuration.
            var mentioned = !section.Settings.IsEmpty || agent == LlmAgentKind.Judge;
            if (section.Enabled && mentioned && !(agent == LlmAgentKind.Researcher && Researcher.Models.Count > 0) && !For(agent).HasEndpoint)
                errors.Add($"{path}: needs an endpoint and a model (set {path}.endpoint and .model, or llm.endpoint and llm.model), or enabled: false.");
        }
        if (Researcher.PromptTokenBudget is < 1_000 or > 2_000_000)
            errors.Add($"llm.researcher.prompt_token_budget must be between 1000 and 2000000 tokens; got {Researcher.PromptTokenBudget}.");
        for (var i = 0; i < Researcher.Models.Count; i++)
        {
            var entry = Researcher.Models[i];
            var path = $"llm.researcher.models[{i}]";
            entry.Settings.Validate(path, errors);
            if (!(entry.Weight > 0 && double.IsFinite(entry.Weight)))
                errors.Add($"{path}.weight must be a positive number (relative share of rounds); got {entry.Weight.ToString(CultureInfo.InvariantCulture)}.");
            if (string.IsNullOrWhiteSpace(entry.Settings.Model))
                errors.Add($"{path}.model is required: name the model this entry stands for.");
            else if (!entry.Settings.Over(For(LlmAgentKind.Researcher)).HasEndpoint)
                errors.Add($"{path}: has no endpoint (set {path}.endpoint, llm.researcher.endpoint or llm.endpoint).");
        }
        if (!Defaults.IsEmpty && (Defaults.Endpoint is null) != (Defaults.Model is null))
            errors.Add("llm: endpoint and model go together; set both llm.endpoint and llm.model (or neither, and configure agents one by one).");
        Retry.Validate(errors);
        foreach (var (model, price) in Prices)
        {
            if (!(price.InputPerMillion >= 0 && double.IsFinite(price.InputPerMillion)))
                errors.Add($"llm.prices.{model}.input_per_million must be a non-negative number of USD per million input tokens; got {price.InputPerMillion.ToString(CultureInfo.InvariantCulture)}.");
            if (!(price.OutputPerMillion >= 0 && double.IsFinite(price.OutputPerMillion)))
                errors.Add($"llm.prices.{model}.output_per_million must be a non-negative number of USD per million output tokens; got {price.OutputPerMillion.ToString(CultureInfo.InvariantCulture)}.");
        }
        Embeddings?.Validate(errors);
        return errors;
    }

    /// <summary>Throws <see cref="LlmConfigurationException"/> listing every problem.</summary>
    public LlmOptions EnsureValid()
    {
        var errors = Validate();
        return errors.Count == 0 ? this : throw new LlmConfigurationException(errors);
    }
}

/// <summary>The agents that may use a model.</summary>
public enum LlmAgentKind
{
    Researcher,
    Debugger,
    Analyzer,
    Novelty,
    Judge,
}

public static class LlmAgentKindExtensions
{
    /// <summary>The YAML section name and the transcript's agent name.</summary>
    public static string ConfigName(this LlmAgentKind agent) => agent switch
    {
        LlmAgentKind.Researcher => "researcher",
        LlmAgentKind.Debugger => "debugger",
        LlmAgentKind.Analyzer => "analyzer",
        LlmAgentKind.Novelty => "novelty",
        LlmAgentKind.Judge => "judge",
        _ => throw new ArgumentOutOfRangeException(nameof(agent), agent, "unknown agent"),
    };
}

/// <summary>
/// Where and how to call a model. Every value is optional so a section can override only what differs; the
/// effective settings of an agent are its own values over <see cref="LlmOptions.Defaults"/>.
/// </summary>
public sealed class LlmEndpointSettings
{
    /// <summary>Base URI of an OpenAI-compatible API, including the version path (e.g. https://api.openai.com/v1).</summary>
    public string? Endpoint { get; set; }

    public string? Model { get; set; }

    /// <summary>Name of the environment variable holding the API key (the key itself is never configured or logged).</summary>
    public string? ApiKeyEnv { get; set; }

    public double? Temperature { get; set; }
    public double? TopP { get; set; }

    /// <summary>Most tokens the model may generate per call.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>Wall-clock limit of one HTTP call (each retry gets its own).</summary>
    public double? TimeoutSeconds { get; set; }

    /// <summary>Extra fields merged into the request body (vendor options such as <c>reasoning_effort</c>, <c>top_k</c>).</summary>
    public Dictionary<string, object?>? Extra { get; set; }

    public bool HasEndpoint => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);

    public bool IsEmpty =>
        Endpoint is null && Model is null && ApiKeyEnv is null && Temperature is null && TopP is null && MaxTokens is null &&
        TimeoutSeconds is null && Extra is null;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds ?? 120);

    /// <summary>These values where set, the fallback's elsewhere; extra fields are merged key by key.</summary>
    public LlmEndpointSettings Over(LlmEndpointSettings fallback) => new()
    {
        Endpoint = Endpoint ?? fallback.Endpoint,
        Model = Model ?? fallback.Model,
        ApiKeyEnv = ApiKeyEnv ?? fallback.ApiKeyEnv,
        Temperature = Temperature ?? fallback.Temperature,
        TopP = TopP ?? fallback.TopP,
        MaxTokens = MaxTokens ?? fallback.MaxTokens,
        TimeoutSeconds = TimeoutSeconds ?? fallback.TimeoutSeconds,
        Extra = Extra is null ? fallback.Extra
            : fallback.Extra is null ? Extra
            : fallback.Extra.Concat(Extra).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value),
    };

    internal void Validate(string path, List<string> errors)
    {
        if (Endpoint is not null &&
            !(Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            errors.Add($"{path}.endpoint must be an absolute http(s) URI such as https://api.openai.com/v1 or http://localhost:11434/v1; got '{Endpoint}'.");
        if (Model is not null && string.IsNullOrWhiteSpace(Model))
            errors.Add($"{path}.model must be a non-empty model name.");
        if (ApiKeyEnv is not null && !IsEnvironmentVariableName(ApiKeyEnv))
            errors.Add($"{path}.api_key_env must name an environment variable (letters, digits, '_'), e.g. OPENAI_API_KEY; got '{ApiKeyEnv}'. Put the key itself in that variable, never in the config.");
        if (Temperature is { } t && !(t >= 0 && t <= 2))
            errors.Add($"{path}.temperature must be in [0, 2]; got {t.ToString(CultureInfo.InvariantCulture)}.");
        if (TopP is { } p && !(p > 0 && p <= 1))
            errors.Add($"{path}.top_p must be in (0, 1]; got {p.ToString(CultureInfo.InvariantCulture)}.");
        if (MaxTokens is { } m && m is < 16 or > 1_000_000)
            errors.Add($"{path}.max_tokens must be between 16 and 1000000; got {m}.");
        if (TimeoutSeconds is { } s && !(s > 0 && s <= 3600))
            errors.Add($"{path}.timeout_seconds must be in (0, 3600]; got {s.ToString(CultureInfo.InvariantCulture)}.");
        foreach (var key in Extra?.Keys ?? Enumerable.Empty<string>())
        {
            if (key is "model" or "messages" or "stream")
                errors.Add($"{path}.extra.{key} cannot be set: Evolve sends '{key}' itself.");
        }
    }

    private static bool IsEnvironmentVariableName(string name) =>
        name.Length > 0 && !char.IsDigit(name[0]) && name.All(c => c == '_' || char.IsAsciiLetterOrDigit(c));
}

/// <summary>One agent's section: whether it uses a model, and what it overrides.</summary>
public class LlmAgentOptions
{
    /// <summary>False keeps the offline agent although an endpoint is configured (the judge: off unless configured).</summary>
    public bool Enabled { get; set; } = true;

    public LlmEndpointSettings Settings { get; set; } = new();
}

/// <summary>The researcher's section.</summary>
public sealed class LlmResearcherOptions : LlmAgentOptions
{
    /// <summary>Full: the reply holds the whole program. Diff: SEARCH/REPLACE blocks applied to the root.</summary>
    public ProposalMode Mode { get; set; } = ProposalMode.Full;

    /// <summary>Approximate prompt size (tokens ≈ characters / 4) that sampled nodes and cognition are trimmed to.</summary>
    public int PromptTokenBudget { get; set; } = 12_000;

    /// <summary>Several models sharing the rounds by weight; each may override endpoint and sampling settings.</summary>
    public List<WeightedModel> Models { get; set; } = [];
}

/// <summary>A researcher model and its relative share of rounds.</summary>
public sealed class WeightedModel
{
    public double Weight { get; set; } = 1;
    public LlmEndpointSettings Settings { get; set; } = new();
}

/// <summary>USD per million tokens.</summary>
public sealed record ModelPrice(double InputPerMillion, double OutputPerMillion);

/// <summary>Retries of one call on 429, 5xx, timeouts and connection failures.</summary>
public sealed class LlmRetryOptions
{
    /// <summary>Attempts per call including the first; after the last, the agent reports the endpoint unavailable.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first retry; doubles each time (with ±25% jitter), up to <see cref="MaxDelaySeconds"/>.</summary>
    public double InitialDelaySeconds { get; set; } = 1;

    public double MaxDelaySeconds { get; set; } = 30;

    /// <summary>
    /// A Retry-After longer than this is not waited out inside the call: the agent gives up at once and the campaign
    /// pauses on a durable timer for that long instead.
    /// </summary>
    public double MaxRetryAfterSeconds { get; set; } = 120;

    internal void Validate(List<string> errors)
    {
        if (MaxAttempts is < 1 or > 20)
            errors.Add($"llm.retry.max_attempts must be between 1 and 20 (attempts per call, the first included); got {MaxAttempts}.");
        if (!(InitialDelaySeconds >= 0 && InitialDelaySeconds <= 600))
            errors.Add($"llm.retry.initial_delay_seconds must be in [0, 600]; got {InitialDelaySeconds.ToString(CultureInfo.InvariantCulture)}.");
        if (!(MaxDelaySeconds >= InitialDelaySeconds && MaxDelaySeconds <= 3600))
            errors.Add($"llm.retry.max_delay_seconds must be in [initial_delay_seconds, 3600]; got {MaxDelaySeconds.ToString(CultureInfo.InvariantCulture)}.");
        if (!(MaxRetryAfterSeconds >= 0 && MaxRetryAfterSeconds <= 3600))
            errors.Add($"llm.retry.max_retry_after_seconds must be in [0, 3600]; got {MaxRetryAfterSeconds.ToString(CultureInfo.InvariantCulture)}.");
    }
}

/// <summary>An OpenAI-compatible <c>/embeddings</c> endpoint.</summary>
public sealed class LlmEmbeddingsOptions
{
    public string Endpoint { get; set; } = "";
    public string Model { get; set; } = "";
    public string? ApiKeyEnv { get; set; }

    /// <summary>Requested vector size (models that support it); keep it fixed for a campaign, stored vectors depend on it.</summary>
    public int? Dimensions { get; set; }

    public double TimeoutSeconds { get; set; } = 60;

    internal LlmEndpointSettings AsEndpoint() => new()
    {
        Endpoint = Endpoint, Model = Model, ApiKeyEnv = ApiKeyEnv, TimeoutSeconds = TimeoutSeconds,
    };

    internal void Validate(List<string> errors)
    {
        var settings = AsEndpoint();
        settings.Validate("llm.embeddings", errors);
        if (!settings.HasEndpoint)
            errors.Add("llm.embeddings needs both endpoint and model (e.g. endpoint: https://api.openai.com/v1, model: text-embedding-3-small); remove the section to use the local hashing embedder.");
        if (Dimensions is { } d && d is < 8 or > 16_384)
            errors.Add($"llm.embeddings.dimensions must be between 8 and 16384; got {d}.");
    }
}

/// <summary>The <c>llm:</c> configuration has problems; <see cref="Errors"/> names each key.</summary>
public sealed class LlmConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid llm configuration:\n- " + string.Join("\n- ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
