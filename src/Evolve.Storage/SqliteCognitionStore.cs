using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Evolve.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using System.Numerics.Tensors;

namespace Evolve.Storage;

public sealed class CognitionOptions
{
    /// <summary>An insight at least this similar (cosine) to an existing item is merged into it instead of stored again.</summary>
    public double MergeThreshold { get; set; } = 0.9;

    public void EnsureValid()
    {
        if (!(MergeThreshold > 0 && MergeThreshold <= 1))
            throw new ArgumentException($"cognition.mergeThreshold is {MergeThreshold.ToString(CultureInfo.InvariantCulture)}; allowed: a number in (0, 1] (default 0.9).");
    }
}

/// <summary>
/// Cognition items in the campaign database, embeddings as float32 blobs, searched by brute-force cosine over an
/// in-memory copy of the vectors (refreshed when rows are added; fine to about 10^5 items).
/// </summary>
public sealed class SqliteCognitionStore : ICognitionStore
{
    private const string Columns =
        "i.id, i.content, i.source, i.metadata, i.embedding, i.origin, i.round, i.support_count, i.created_at, " +
        "(SELECT json_group_array(s.node_id) FROM cognition_support s WHERE s.item_id = i.id)";

    private readonly SqliteDatabase _database;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly CognitionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private VectorIndex _index = VectorIndex.Empty;

    public SqliteCognitionStore(SqliteDatabase database, IEmbeddingGenerator<string, Embedding<float>> embedder, CognitionOptions options, TimeProvider timeProvider)
    {
        options.EnsureValid();
        (_database, _embedder, _options, _timeProvider) = (database, embedder, options, timeProvider);
    }

    public async Task<CognitionImportResult> ImportJsonlAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Cognition file '{Path.GetFullPath(path)}' does not exist; a task's priors live in its cognition.jsonl.", path);

        var errors = new List<CognitionImportError>();
        var parsed = new List<(string Id, string Content, string Source, IReadOnlyDictionary<string, string> Metadata)>();
        var lineNumber = 0;
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (CognitionJsonl.TryParseLine(line, out var item, out var problem))
                parsed.Add((item.Id ?? "seed-" + ContentHash(item.Content)[..16], item.Content, item.Source, item.Metadata));
            else errors.Add(new CognitionImportError(lineNumber, problem));
        }

        var embeddings = await EmbedAsync(parsed.Select(p => p.Content).ToList(), cancellationToken);
        var imported = 0;
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        for (var i = 0; i < parsed.Count; i++)
        {
            var (id, content, source, metadata) = parsed[i];
            imported += await InsertItemAsync(connection, transaction, id, content, source, metadata, embeddings[i], CognitionOrigin.Seed, null, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new CognitionImportResult(imported, parsed.Count - imported, errors);
    }

    public async Task<CognitionItem> AddSeedAsync(string content, string source, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(content)) throw new ArgumentException("A cognition item needs non-empty content.", nameof(content));
        content = content.Trim();
        var id = "seed-" + ContentHash(content)[..16];
        var embedding = (await EmbedAsync([content], cancellationToken))[0];
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await InsertItemAsync(connection, transaction, id, content, source, metadata ?? CognitionItem.EmptyMetadata, embedding, CognitionOrigin.Seed, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await GetAsync(id, cancellationToken))!;
    }

    public async Task<InsightResult> AddInsightAsync(InsightInput insight, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(insight);
        if (string.IsNullOrWhiteSpace(insight.Content)) throw new ArgumentException("An insight needs non-empty content.", nameof(insight));
        if (string.IsNullOrWhiteSpace(insight.NodeId)) throw new ArgumentException("An insight needs the id of the node it came from.", nameof(insight));
        var content = insight.Content.Trim();
        var hash = ContentHash(content);
        var ownId = "ins-" + hash[..16];
        var embedding = (await EmbedAsync([content], cancellationToken))[0];

        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        // A retried activity: this node already stated this insight.
        await using (var seen = connection.Command("SELECT item_id FROM cognition_support WHERE node_id = $n AND content_hash = $h;", transaction))
        {
            seen.With("$n", insight.NodeId).With("$h", hash);
            if (await seen.ExecuteScalarAsync(cancellationToken) is string existingId)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new InsightResult((await GetAsync(existingId, cancellationToken))!, existingId != ownId);
            }
        }

        var index = await RefreshIndexAsync(connection, transaction, cancellationToken);
        var nearest = index.Nearest(embedding, 1, _options.MergeThreshold);
        string itemId;
        bool merged;
        if (nearest.Count > 0)
        {
            itemId = nearest[0].Id;
            merged = true;
        }
        else
        {
            var inserted = await InsertItemAsync(connection, transaction, ownId, content, insight.Source, insight.Metadata ?? CognitionItem.EmptyMetadata,
                embedding, CognitionOrigin.Analyzer, insight.Round, cancellationToken);
            itemId = ownId;
            merged = inserted == 0;
        }

        await using (var support = connection.Command(
            "INSERT INTO cognition_support (item_id, node_id, content_hash, round) VALUES ($i, $n, $h, $r);", transaction))
        {
            support.With("$i", itemId).With("$n", insight.NodeId).With("$h", hash).With("$r", insight.Round);
            await support.ExecuteNonQueryAsync(cancellationToken);
        }
        if (merged)
        {
            await using var bump = connection.Command("UPDATE cognition_items SET support_count = support_count + 1 WHERE id = $i;", transaction);
            bump.With("$i", itemId);
            await bump.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new InsightResult((await GetAsync(itemId, cancellationToken))!, merged);
    }

    public async Task<IReadOnlyList<CognitionHit>> SearchAsync(string query, int topK, double minSimilarity, CancellationToken cancellationToken = default)
    {
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "topK must be at least 1.");
        if (!(minSimilarity >= -1 && minSimilarity <= 1)) throw new ArgumentOutOfRangeException(nameof(minSimilarity), minSimilarity, "The similarity threshold must lie in [-1, 1].");
        var embedding = (await EmbedAsync([query ?? ""], cancellationToken))[0];
        await using var connection = await _database.OpenAsync(cancellationToken);
        var index = await RefreshIndexAsync(connection, null, cancellationToken);
        var nearest = index.Nearest(embedding, topK, minSimilarity);
        if (nearest.Count == 0) return [];
        var items = (await ReadItemsAsync(connection, "i.id IN (SELECT value FROM json_each($ids))",
            c => c.With("$ids", JsonSerializer.Serialize(nearest.Select(n => n.Id))), cancellationToken)).ToDictionary(i => i.Id);
        return nearest.Where(n => items.ContainsKey(n.Id)).Select(n => new CognitionHit(items[n.Id], n.Similarity)).ToList();
    }

    public async Task<CognitionItem?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return (await ReadItemsAsync(connection, "i.id = $id", c => c.With("$id", id), cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<CognitionItem>> ListAsync(CognitionOrigin? origin = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return origin is { } o
            ? await ReadItemsAsync(connection, "i.origin = $o", c => c.With("$o", OriginName(o)), cancellationToken)
            : await ReadItemsAsync(connection, "1 = 1", _ => { }, cancellationToken);
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT COUNT(*) FROM cognition_items;");
        return (int)await command.ScalarLongAsync(cancellationToken);
    }

    private async Task<List<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0) return [];
        var generated = await _embedder.GenerateAsync(texts, null, cancellationToken);
        if (generated.Count != texts.Count)
            throw new InvalidOperationException($"The embedding generator returned {generated.Count} embeddings for {texts.Count} texts.");
        // Stored unit-length, so cosine similarity is a plain dot product at search time.
        return generated.Select(e =>
        {
            var vector = e.Vector.ToArray();
            var norm = TensorPrimitives.Norm<float>(vector);
            if (norm > 0) TensorPrimitives.Divide(vector, norm, vector);
            return vector;
        }).ToList();
    }

    private async Task<int> InsertItemAsync(SqliteConnection connection, SqliteTransaction transaction, string id, string content, string source,
        IReadOnlyDictionary<string, string> metadata, float[] embedding, CognitionOrigin origin, long? round, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            "INSERT OR IGNORE INTO cognition_items (id, content, source, metadata, embedding, dimensions, origin, round, support_count, created_at) " +
            "VALUES ($id, $content, $source, $metadata, $embedding, $dims, $origin, $round, 1, $created);", transaction);
        command.With("$id", id).With("$content", content).With("$source", source)
            .With("$metadata", JsonSerializer.Serialize(metadata))
            .With("$embedding", MemoryMarshal.AsBytes(embedding.AsSpan()).ToArray())
            .With("$dims", embedding.Length).With("$origin", OriginName(origin)).With("$round", round)
            .With("$created", _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<VectorIndex> RefreshIndexAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        // Items are never deleted, so the highest rowid tells whether anything was added since the last load.
        await using var probe = connection.Command("SELECT IFNULL(MAX(rowid), 0) FROM cognition_items;", transaction);
        var maxRowId = await probe.ScalarLongAsync(cancellationToken);
        if (_index.MaxRowId == maxRowId) return _index;

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var current = _index;
            if (current.MaxRowId == maxRowId) return current;
            await using var command = connection.Command(
                "SELECT rowid, id, embedding, dimensions FROM cognition_items WHERE rowid > $after AND rowid <= $max ORDER BY rowid;", transaction);
            command.With("$after", current.MaxRowId).With("$max", maxRowId);
            var ids = new List<string>(current.Ids);
            var vectors = new List<float[]>(current.Vectors);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    ids.Add(reader.GetString(1));
                    vectors.Add(MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(2)).ToArray());
                }
            }
            _index = new VectorIndex(ids, vectors, maxRowId);
            return _index;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static async Task<List<CognitionItem>> ReadItemsAsync(SqliteConnection connection, string where, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT {Columns} FROM cognition_items i WHERE {where} ORDER BY i.rowid;");
        bind(command);
        return await NodeRows.ReadAllAsync(command, r => new CognitionItem
        {
            Id = r.GetString(0),
            Content = r.GetString(1),
            Source = r.GetString(2),
            Metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(3)) ?? [],
            Embedding = MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(4)).ToArray(),
            Origin = r.GetString(5) == "analyzer" ? CognitionOrigin.Analyzer : CognitionOrigin.Seed,
            Round = r.IsDBNull(6) ? null : r.GetInt64(6),
            SupportCount = r.GetInt32(7),
            CreatedAt = DateTimeOffset.Parse(r.GetString(8), CultureInfo.InvariantCulture),
            SupportingNodeIds = JsonSerializer.Deserialize<List<string>>(r.GetString(9)) ?? [],
        }, cancellationToken);
    }

    private static string OriginName(CognitionOrigin origin) => origin == CognitionOrigin.Analyzer ? "analyzer" : "seed";

    private static string ContentHash(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    /// <summary>An immutable snapshot of all vectors; replaced whole when rows are added, so readers never see it half-built.</summary>
    private sealed class VectorIndex(IReadOnlyList<string> ids, IReadOnlyList<float[]> vectors, long maxRowId)
    {
        public static VectorIndex Empty { get; } = new([], [], 0);
        public IReadOnlyList<string> Ids { get; } = ids;
        public IReadOnlyList<float[]> Vectors { get; } = vectors;
        public long MaxRowId { get; } = maxRowId;

        public List<(string Id, double Similarity)> Nearest(float[] query, int topK, double minSimilarity)
        {
            var best = new PriorityQueue<int, float>(topK + 1);
            for (var i = 0; i < Vectors.Count; i++)
            {
                var vector = Vectors[i];
                if (vector.Length != query.Length)
                    throw new InvalidOperationException(
                        $"Cognition item '{Ids[i]}' has a {vector.Length}-dimensional embedding, but the embedding generator now produces {query.Length} dimensions. " +
                        "Use the embedder the campaign started with, or start a new campaign directory.");
                var similarity = TensorPrimitives.Dot<float>(vector, query);
                if (similarity < minSimilarity) continue;
                best.Enqueue(i, similarity);
                if (best.Count > topK) best.Dequeue();
            }
            var result = new List<(string, double)>(best.Count);
            while (best.TryDequeue(out var index, out var similarity)) result.Add((Ids[index], similarity));
            result.Reverse();
            return result;
        }
    }
}
