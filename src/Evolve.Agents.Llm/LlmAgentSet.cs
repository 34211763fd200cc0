using Evolve.Agents.Novelty;
using Evolve.Agents.Offline;
using Evolve.Core.Transcripts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.Agents.Llm;

/// <summary>
/// The LLM agents of one campaign, built from its <c>llm:</c> section and writing to its transcript store; an agent is
/// null where it stays offline (no endpoint, or <c>enabled: false</c>). A worker that runs several campaigns keeps one
/// set per campaign; <see cref="LlmServiceCollectionExtensions.AddLlmAgents"/> registers one set for the process.
/// </summary>
public sealed class LlmAgentSet
{
    private LlmAgentSet(LlmOptions options) => Options = options;

    public LlmOptions Options { get; }
    public IResearcher? Researcher { get; private init; }
    public IDebugger? Debugger { get; private init; }
    public IAnalyzer? Analyzer { get; private init; }
    public INoveltyJudge? NoveltyJudge { get; private init; }
    public IJudge? Judge { get; private init; }

    /// <param name="novelty">Settings of the offline novelty judge used when a model reply is unusable.</param>
    public static LlmAgentSet Create(LlmOptions options, ITranscriptStore transcripts, TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null, NoveltyOptions? novelty = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transcripts);
        options.EnsureValid();
        var time = timeProvider ?? TimeProvider.System;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        var client = new LlmChatClient(options, new OpenAiClientFactory(), new LlmRetryPolicy(options.Retry, time, loggers.CreateLogger<LlmRetryPolicy>()),
            transcripts, time, loggers.CreateLogger<LlmChatClient>());
        return new LlmAgentSet(options)
        {
            Researcher = options.IsConfigured(LlmAgentKind.Researcher) ? new LlmResearcher(options, client, loggers.CreateLogger<LlmResearcher>()) : null,
            Debugger = options.IsConfigured(LlmAgentKind.Debugger) ? new LlmDebugger(options, client) : null,
            Analyzer = options.IsConfigured(LlmAgentKind.Analyzer) ? new LlmAnalyzer(options, client, new DeterministicAnalyzer()) : null,
            NoveltyJudge = options.IsConfigured(LlmAgentKind.Novelty)
                ? new LlmNoveltyJudge(options, client, new ParameterNoveltyJudge(novelty ?? new NoveltyOptions()))
                : null,
            Judge = options.IsConfigured(LlmAgentKind.Judge) ? new LlmJudge(options, client) : null,
        };
    }

    /// <summary>
    /// The embeddings endpoint's generator, or null for the local hashing embedder. Separate from <see cref="Create"/>
    /// because the campaign storage needs the embedder before it opens (and the transcript store comes from it).
    /// </summary>
    public static IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(LlmOptions options, TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.EnsureValid().Embeddings is not { } embeddings) return null;
        var retries = new LlmRetryPolicy(options.Retry, timeProvider ?? TimeProvider.System, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<LlmRetryPolicy>());
        return new OpenAiEmbeddingGenerator(embeddings, new OpenAiClientFactory(), retries);
    }
}
