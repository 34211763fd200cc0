using System.Text.Json;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Processing;

/// <summary>
/// Per-shard manifest entries, one JSON file each under the output's "_curation/shards" folder, written
/// atomically after the output shard is renamed into place. Parallel shard activities never share a file.
/// </summary>
public sealed class ShardRecordStore(string outputDirectory)
{
    public const string WorkFolder = "_curation";

    public string Folder => Path.Combine(outputDirectory, WorkFolder, "shards");

    public string PathFor(string shard) => Path.Combine(Folder, shard + ".json");

    public ShardRecord? TryRead(string shard)
    {
        var path = PathFor(shard);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ShardRecord>(File.ReadAllText(path), ShardRecord.Json);
        }
        catch (JsonException)
        {
            return null; // unreadable entry: the shard is simply redone
        }
    }

    public Task WriteAsync(ShardRecord record, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(PathFor(record.Shard), JsonSerializer.Serialize(record, ShardRecord.Json), cancellationToken);
}
