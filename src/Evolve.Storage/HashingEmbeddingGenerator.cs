using Evolve.Core.Text;
using Microsoft.Extensions.AI;

namespace Evolve.Storage;

/// <summary>
/// The default embedder when no embedding endpoint is configured: deterministic feature hashing (word unigrams and
/// bigrams, character trigrams), L2-normalised. No model, no network, the same vector for the same text everywhere.
/// </summary>
public sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ModelId = "evolve-hashing-v1";
    public const int DefaultDimensions = 384;
    private readonly FeatureHasher _hasher;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public HashingEmbeddingGenerator(int dimensions = DefaultDimensions)
    {
        _hasher = new FeatureHasher(dimensions);
        _metadata = new EmbeddingGeneratorMetadata("evolve-hashing", null, ModelId, dimensions);
    }

    public int Dimensions => _hasher.Dimensions;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } requested && requested != Dimensions)
            throw new ArgumentException($"This hashing embedder produces {Dimensions} dimensions; {requested} were requested. Configure the embedder with the dimension you need.", nameof(options));
        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            embeddings.Add(new Embedding<float>(_hasher.Embed(value ?? "")) { ModelId = ModelId });
        }
        return Task.FromResult(embeddings);
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
