using Evolve.Agents.Offline;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Agents.Llm.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void The_readme_examples_parse_and_configure_the_expected_agents()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.llm.md"));
        var examples = readme.Split("```yaml\n").Skip(1).Select(b => b[..b.IndexOf("```", StringComparison.Ordinal)]).ToList();
        Assert.True(examples.Count >= 3, "the README has an example for OpenAI, vLLM and Ollama");
        foreach (var example in examples)
        {
            var options = LlmOptionsYaml.Parse(example);
            Assert.True(options.IsConfigured(LlmAgentKind.Researcher), example);
            Assert.Empty(options.Validate());
        }
    }

    [Fact]
    public void A_full_section_is_read_with_per_agent_overrides_weights_prices_and_embeddings()
    {
        var options = LlmOptionsYaml.Parse("""
            campaign: { rounds: 10 }
            llm:
              endpoint: http://localhost:8000/v1
              model: qwen
              api_key_env: VLLM_KEY
              temperature: 0.8
              max_tokens: 8192
              extra: { top_k: 20, chat_template_kwargs: { enable_thinking: false } }
              retry: { max_attempts: 4, initial_delay_seconds: 2 }
              researcher:
                mode: diff
                prompt_token_budget: 20000
                models:
                  - { model: qwen-large, weight: 3 }
                  - { model: qwen-small, weight: 1, temperature: 1.0 }
              analyzer: { model: qwen-small, temperature: 0.2 }
              debugger: { enabled: false }
              judge: { model: qwen-large }
              prices:
                qwen-large: { input_per_million: 0.5, output_per_million: 1.5 }
              embeddings: { endpoint: http://localhost:8001/v1, model: bge-m3, dimensions: 1024 }
            """);

        Assert.Equal(ProposalMode.Diff, options.Researcher.Mode);
        Assert.Equal(20000, options.Researcher.PromptTokenBudget);
        Assert.Equal(["qwen-large", "qwen-small"], options.Researcher.Models.Select(m => m.Settings.Model));
        Assert.Equal(1.0, options.Researcher.Models[1].Settings.Over(options.For(LlmAgentKind.Researcher)).Temperature);
        var analyzer = options.For(LlmAgentKind.Analyzer);
        Assert.Equal(("http://localhost:8000/v1", "qwen-small", 0.2, 8192), (analyzer.Endpoint, analyzer.Model, analyzer.Temperature!.Value, analyzer.MaxTokens!.Value));
        Assert.Equal("VLLM_KEY", analyzer.ApiKeyEnv);
        Assert.Equal(20L, analyzer.Extra!["top_k"]);
        Assert.False(options.IsConfigured(LlmAgentKind.Debugger));
        Assert.True(options.IsConfigured(LlmAgentKind.Judge));
        Assert.True(options.IsConfigured(LlmAgentKind.Novelty));
        Assert.Equal(4, options.Retry.MaxAttempts);
        Assert.Equal(0.5 * 2 + 1.5, options.CostUsd("qwen-large", 2_000_000, 1_000_000), 10);
        Assert.Equal(0, options.CostUsd("qwen", 2_000_000, 1_000_000));
        Assert.Equal(1024, options.Embeddings!.Dimensions);
    }

    [Fact]
    public void Written_options_read_back_to_the_same_settings()
    {
        var original = LlmOptionsYaml.Parse("""
            llm:
              endpoint: http://localhost:8000/v1
              model: "0.5"
              api_key_env: VLLM_KEY
              temperature: 0.8
              extra: { top_k: 20, stop: ["</program>"], flags: { thinking: false }, tag: "7" }
              researcher:
                mode: diff
                models: [ { model: a, weight: 2.5 }, { model: b, endpoint: http://other:9/v1 } ]
              debugger: { enabled: false }
              judge: { max_tokens: 300 }
              retry: { max_attempts: 7 }
              prices: { a: { input_per_million: 0.1, output_per_million: 0.3 } }
              embeddings: { endpoint: http://localhost:8001/v1, model: bge, dimensions: 256 }
            """);

        var written = LlmOptionsYaml.Write(original);
        var reread = LlmOptionsYaml.Parse(written);

        Assert.Equal(written, LlmOptionsYaml.Write(reread));
        Assert.Equal("0.5", reread.Defaults.Model);
        Assert.Equal("7", reread.Defaults.Extra!["tag"]);
        Assert.Equal(20L, reread.Defaults.Extra["top_k"]);
        Assert.Equal(ProposalMode.Diff, reread.Researcher.Mode);
        Assert.Equal("http://other:9/v1", reread.Researcher.Models[1].Settings.Endpoint);
        Assert.False(reread.IsConfigured(LlmAgentKind.Debugger));
        Assert.True(reread.IsConfigured(LlmAgentKind.Judge));
        Assert.Equal(7, reread.Retry.MaxAttempts);
        Assert.Equal(0.3, reread.Prices["a"].OutputPerMillion);
        Assert.Equal(256, reread.Embeddings!.Dimensions);
        Assert.False(LlmOptionsYaml.Parse(LlmOptionsYaml.Write(new LlmOptions())).AnyConfigured);
    }

    [Fact]
    public void Problems_are_all_reported_naming_the_key_and_the_allowed_values()
    {
        var error = Assert.Throws<LlmConfigurationException>(() => LlmOptionsYaml.Parse("""
            llm:
              endpoint: localhost:8000
              model: m
              api_key_env: sk-abc123
              temperature: 5
              top_p: hot
              researcher: { mode: patch, models: [ { weight: -1 } ] }
              retry: { max_attempts: 0 }
              prices: { m: { input_per_million: 1 } }
              temprature: 0.3
            """));

        var all = string.Join("\n", error.Errors);
        Assert.Contains("llm.endpoint must be an absolute http(s) URI", all, StringComparison.Ordinal);
        Assert.Contains("llm.api_key_env must name an environment variable", all, StringComparison.Ordinal);
        Assert.Contains("llm.top_p must be a number; got 'hot'", all, StringComparison.Ordinal);
        Assert.Contains("llm.researcher.mode must be one of full, diff; got 'patch'", all, StringComparison.Ordinal);
        Assert.Contains("llm.prices.m.output_per_million is required", all, StringComparison.Ordinal);
        Assert.Contains("llm.temprature: unknown key; allowed here:", all, StringComparison.Ordinal);
        Assert.Contains("temperature", all[all.IndexOf("llm.temprature", StringComparison.Ordinal)..], StringComparison.Ordinal);

        var semantic = Assert.Throws<LlmConfigurationException>(() => LlmOptionsYaml.Parse("""
            llm:
              endpoint: http://localhost:8000/v1
              model: m
              temperature: 5
              researcher: { models: [ { weight: -1 } ] }
              retry: { max_attempts: 0 }
              analyzer: { endpoint: http://other/v1 }
              embeddings: { model: e }
            """)).Errors;
        Assert.Contains(semantic, e => e.StartsWith("llm.temperature must be in [0, 2]; got 5", StringComparison.Ordinal));
        Assert.Contains(semantic, e => e.StartsWith("llm.researcher.models[0].weight must be a positive number", StringComparison.Ordinal));
        Assert.Contains(semantic, e => e.StartsWith("llm.researcher.models[0].model is required", StringComparison.Ordinal));
        Assert.Contains(semantic, e => e.StartsWith("llm.retry.max_attempts must be between 1 and 20", StringComparison.Ordinal));
        Assert.Contains(semantic, e => e.StartsWith("llm.embeddings.endpoint is required", StringComparison.Ordinal));

        Assert.Contains(Assert.Throws<LlmConfigurationException>(() => LlmOptionsYaml.Parse("llm: { model: m }")).Errors,
            e => e.StartsWith("llm: endpoint and model go together", StringComparison.Ordinal));
        Assert.Contains(Assert.Throws<LlmConfigurationException>(() => LlmOptionsYaml.Parse("llm: { judge: { temperature: 0 } }")).Errors,
            e => e.StartsWith("llm.judge: needs an endpoint and a model", StringComparison.Ordinal));
        Assert.Contains(Assert.Throws<LlmConfigurationException>(() => LlmOptionsYaml.Parse("llm: { endpoint: http://h/v1, model: m, extra: { stream: true } }")).Errors,
            e => e.StartsWith("llm.extra.stream cannot be set", StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_references_are_substituted_and_unset_ones_named()
    {
        var environment = new Dictionary<string, string> { ["LLM_URL"] = "http://gpu-box:8000/v1", ["TOPK"] = "32" };
        var options = LlmOptionsYaml.Parse("""
            llm:
              endpoint: ${LLM_URL}
              model: ${LLM_MODEL:-qwen}
              extra:
                top_k: "${TOPK}"
                min_p: ${MIN_P:-0.05}
            """, name => environment.GetValueOrDefault(name));
        Assert.Equal(("http://gpu-box:8000/v1", "qwen"), (options.Defaults.Endpoint, options.Defaults.Model));
        Assert.Equal("32", options.Defaults.Extra!["top_k"]);
        Assert.Equal(0.05, options.Defaults.Extra["min_p"]);

        var error = Assert.Throws<LlmConfigurationException>(() => LlmOptionsYaml.Parse("llm: { endpoint: '${NOPE}/v1', model: m }", _ => null));
        Assert.Contains(error.Errors, e => e.StartsWith("llm.endpoint: ${NOPE} refers to an environment variable that is not set", StringComparison.Ordinal));
    }

    [Fact]
    public void A_campaign_without_llm_section_stays_offline_and_registers_nothing()
    {
        var options = LlmOptionsYaml.Parse("campaign: { rounds: 3 }\n");
        Assert.False(options.AnyConfigured);
        var services = new ServiceCollection().AddLlmAgents(options).AddEvolveAgents();
        using var provider = services.BuildServiceProvider();
        Assert.IsType<OfflineResearcher>(provider.GetRequiredService<IResearcher>());
        Assert.IsType<NoRepairDebugger>(provider.GetRequiredService<IDebugger>());
        Assert.Null(provider.GetService<IJudge>());
    }

    [Fact]
    public void Only_agents_with_an_endpoint_get_the_llm_implementation()
    {
        var options = new LlmOptions
        {
            Researcher = { Settings = { Endpoint = "http://127.0.0.1:9/v1", Model = "r" } },
            Analyzer = { Settings = { Endpoint = "http://127.0.0.1:9/v1", Model = "a" } },
        };
        var services = new ServiceCollection().AddLlmAgents(options).AddEvolveAgents();
        services.AddSingleton<Evolve.Core.Transcripts.ITranscriptStore>(new DiscardingTranscripts());
        using var provider = services.BuildServiceProvider();

        Assert.IsType<LlmResearcher>(provider.GetRequiredService<IResearcher>());
        Assert.IsType<LlmAnalyzer>(provider.GetRequiredService<IAnalyzer>());
        Assert.IsType<NoRepairDebugger>(provider.GetRequiredService<IDebugger>());
        Assert.IsNotType<LlmNoveltyJudge>(provider.GetRequiredService<INoveltyJudge>());
        Assert.Null(provider.GetService<IJudge>());
        Assert.IsType<Evolve.Storage.HashingEmbeddingGenerator>(
            provider.GetRequiredService<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>());
    }

    [Fact]
    public async Task Each_campaign_gets_its_own_agent_set_writing_to_its_own_transcripts()
    {
        var server = new FakeOpenAiServer();
        await using var first = await LlmHarness.StartAsync(server: server);
        await using var second = await LlmHarness.StartAsync(o => o.Researcher.Enabled = false);
        var ownSet = LlmAgentSet.Create(first.Options, second.Storage.Transcripts);
        Assert.Null(LlmAgentSet.Create(second.Options, second.Storage.Transcripts).Researcher);
        Assert.NotNull(ownSet.Analyzer);
        server.Enqueue(FakeReply.Chat("garbage"));

        await ownSet.Researcher!.ProposeAsync(LlmHarness.Request(round: 3), CancellationToken.None);

        Assert.Single(await second.TranscriptsAsync(3));
        Assert.Empty(await first.TranscriptsAsync(3));
    }

    private sealed class DiscardingTranscripts : Evolve.Core.Transcripts.ITranscriptStore
    {
        public Task RecordAsync(Evolve.Core.Transcripts.AgentTranscript transcript, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<Evolve.Core.Transcripts.AgentTranscript>> ForRoundAsync(long round, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Evolve.Core.Transcripts.AgentTranscript>>([]);
    }
}
