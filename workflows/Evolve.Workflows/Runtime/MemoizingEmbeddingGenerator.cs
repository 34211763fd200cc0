using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Evolve.Workflows.Runtime;

/// <summary>
/// Remembers the embeddings of texts it has seen. The novelty check embeds the same existing nodes every round; a
/// remote embedder would be paid for each of them again, and even the local hashing one costs most of the check.
/// Bounded: once full it starts afresh (entries are cheap to recompute).
/// </summary>
public sealed class MemoizingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, int capacity = 4096)
    : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ConcurrentDictionary<string, Embedding<float>> _cache = new(StringComparer.Ordinal);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var missing = texts.Where(t => !_cache.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            var generated = await inner.GenerateAsync(missing, options, cancellationToken).ConfigureAwait(false);
            if (_cache.Count + missing.Count > capacity) _cache.Clear();
            for (var i = 0; i < missing.Count; i++) _cache[missing[i]] = generated[i];
        }
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        foreach (var text in texts)
        {
            // A concurrent Clear may have dropped an entry between the fill above and here: compute it again.
            result.Add(_cache.TryGetValue(text, out var embedding)
                ? embedding
                : (await inner.GenerateAsync([text], options, cancellationToken).ConfigureAwait(false))[0]);
        }
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    public void Dispose() => _cache.Clear();
}
