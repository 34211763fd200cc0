using System.Text.Json;
using Evolve.Core;
using Parquet;
using Parquet.Serialization;
using Evolve.Core.IO;

namespace Evolve.Reporting;

public enum ExportFormat
{
    /// <summary>One JSON node per line with every field (<see cref="NodeJson.Compact"/>); reads back into <see cref="Node"/>.</summary>
    Jsonl,
    /// <summary>One row per node with flat columns (<see cref="NodeParquetRow"/>), for pandas, DuckDB, Spark.</summary>
    Parquet,
}

public static class ExportFormats
{
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<ExportFormat>().Select(f => f.Name()).ToList();

    public static string Name(this ExportFormat format) => format switch
    {
        ExportFormat.Jsonl => "jsonl",
        ExportFormat.Parquet => "parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown export format"),
    };

    public static string FileExtension(this ExportFormat format) => "." + format.Name();

    public static ExportFormat Parse(string name)
    {
        var wanted = name.Trim().ToLowerInvariant();
        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            if (format.Name() == wanted) return format;
        }
        throw new FormatException($"Unknown export format '{name}'. Allowed: {string.Join(", ", Names)}.");
    }
}

public sealed record ExportResult(string Path, ExportFormat Format, long Rows);

/// <summary>Writes every node of a campaign, in round order, to one file (temp file, then rename).</summary>
public static class CampaignExporter
{
    public static Task<ExportResult> ExportAsync(INodeStore nodes, ExportFormat format, string path, CancellationToken cancellationToken = default) =>
        format switch
        {
            ExportFormat.Jsonl => ExportJsonlAsync(nodes, path, cancellationToken),
            ExportFormat.Parquet => ExportParquetAsync(nodes, path, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown export format"),
        };

    public static async Task<ExportResult> ExportJsonlAsync(INodeStore nodes, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        long rows = 0;
        await AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            var newline = "\n"u8.ToArray();
            // Streams node by node: the export of a large campaign never holds every program in memory.
            await foreach (var node in nodes.AllAsync(ct))
            {
                await JsonSerializer.SerializeAsync(stream, node, NodeJson.Compact, ct);
                await stream.WriteAsync(newline, ct);
                rows++;
            }
        }, cancellationToken);
        return new ExportResult(Path.GetFullPath(path), ExportFormat.Jsonl, rows);
    }

    public static async Task<ExportResult> ExportParquetAsync(INodeStore nodes, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var rows = new List<NodeParquetRow>();
        await foreach (var node in nodes.AllAsync(cancellationToken)) rows.Add(NodeParquetRow.From(node));
        var metadata = new Dictionary<string, string> { ["evolve.campaign_id"] = nodes.CampaignId, ["evolve.schema"] = NodeParquetRow.SchemaName };
        await AtomicFile.WriteAsync(path, (stream, ct) =>
            ParquetSerializer.SerializeAsync(rows, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, metadata, ct),
            cancellationToken);
        return new ExportResult(Path.GetFullPath(path), ExportFormat.Parquet, rows.Count);
    }
}
