using Microsoft.Extensions.AI;
using OpenAI.Embeddings;

namespace Evolve.Agents.Llm;

/// <summary>
/// Embeddings from an OpenAI-compatible <c>/embeddings</c> endpoint, with the same retries and timeouts as the chat
/// agents. Used for novelty and cognition search instead of the local hashing embedder when configured.
/// </summary>
public sealed class OpenAiEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlmEmbeddingsOptions _options;
    private readonly EmbeddingClient _client;
    private readonly LlmRetryPolicy _retries;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public OpenAiEmbeddingGenerator(LlmEmbeddingsOptions options, OpenAiClientFactory clients, LlmRetryPolicy retries)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _client = clients.For(options.AsEndpoint()).GetEmbeddingClient(options.Model);
        _retries = retries;
        _metadata = new EmbeddingGeneratorMetadata("openai-compatible", new Uri(options.Endpoint), options.Model, options.Dimensions);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, Microsoft.Extensions.AI.EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.Select(v => string.IsNullOrEmpty(v) ? " " : v).ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>();
        if (inputs.Count == 0) return result;
        var request = new OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = options?.Dimensions ?? _options.Dimensions };
        var response = await _retries.ExecuteAsync("embeddings", TimeSpan.FromSeconds(_options.TimeoutSeconds),
            token => _client.GenerateEmbeddingsAsync(inputs, request, token), cancellationToken).ConfigureAwait(false);
        var embeddings = response.Value.OrderBy(e => e.Index).ToList();
        if (embeddings.Count != inputs.Count)
            throw new InvalidOperationException($"The embeddings endpoint returned {embeddings.Count} vectors for {inputs.Count} inputs.");
        foreach (var embedding in embeddings)
            result.Add(new Embedding<float>(embedding.ToFloats()) { ModelId = _options.Model });
        if (response.Value.Usage is { } usage)
            result.Usage = new UsageDetails { InputTokenCount = usage.InputTokenCount, TotalTokenCount = usage.TotalTokenCount };
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose() { }
}
