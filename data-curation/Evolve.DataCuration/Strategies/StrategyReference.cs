using Evolve.DataCuration.Processing;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Strategies;

/// <summary>
/// How a durable run names its strategy: a file and the hash its text must have. Small enough for every activity
/// input; the hash guards against the file changing under a running (or resumed) run.
/// </summary>
public sealed record StrategyReference(string Path, string Hash)
{
    /// <summary>Folder under the output's work folder where a run keeps the strategy it was started with.</summary>
    public const string Folder = "strategies";

    /// <summary>
    /// Copies <paramref name="source"/> into the output's work folder (temp file, rename), so the run keeps its own
    /// copy: editing or deleting the original afterwards cannot change what a resumed run cleans with.
    /// </summary>
    public static async Task<StrategyReference> PersistAsync(StrategySource source, string outputDirectory, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(outputDirectory, ShardRecordStore.WorkFolder, Folder, source.Hash + ".cs");
        if (!File.Exists(path) || StrategySource.HashOf(await File.ReadAllTextAsync(path, cancellationToken)) != source.Hash)
        {
            await AtomicFile.WriteAllTextAsync(path, source.Text, cancellationToken);
        }

        return new StrategyReference(path, source.Hash);
    }

    /// <summary>The source, checked against the hash.</summary>
    public StrategySource Read()
    {
        if (!File.Exists(Path)) throw new InvalidStrategyException($"The run's strategy file '{Path}' is gone; curate again with --strategy.");
        var text = File.ReadAllText(Path);
        var hash = StrategySource.HashOf(text);
        if (hash != Hash)
        {
            throw new InvalidStrategyException($"The run's strategy file '{Path}' changed (hash {hash}, the run started with {Hash}); curate again with --strategy.");
        }

        return new StrategySource(text, Path);
    }
}

/// <summary>
/// Compiled strategies of this process by source hash: every activity of a run resolves its strategy here, so the
/// source is compiled once per process (a worker serves the whole run) and never per shard.
/// </summary>
public sealed class StrategyCache(StrategyCompiler compiler)
{
    private readonly Dictionary<string, Lazy<CompiledStrategy>> compiled = new(StringComparer.Ordinal);

    /// <summary>The process-wide cache the curation activities use.</summary>
    public static StrategyCache Shared { get; } = new(new StrategyCompiler());

    public CompiledStrategy Get(StrategyReference reference, CancellationToken cancellationToken)
    {
        lock (compiled)
        {
            // Already compiled for an earlier activity: no need to read and hash the file again.
            if (compiled.TryGetValue(reference.Hash, out var done) && done.IsValueCreated) return done.Value;
        }

        return Get(reference.Read(), cancellationToken);
    }

    public CompiledStrategy Get(StrategySource source, CancellationToken cancellationToken)
    {
        Lazy<CompiledStrategy> entry;
        lock (compiled)
        {
            if (!compiled.TryGetValue(source.Hash, out entry!))
            {
                entry = new Lazy<CompiledStrategy>(() => compiler.Compile(source, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
                compiled[source.Hash] = entry;
            }
        }

        try
        {
            return entry.Value;
        }
        catch
        {
            // A failure (bad source, cancellation) is not cached: the next attempt compiles again.
            lock (compiled) compiled.Remove(source.Hash);
            throw;
        }
    }
}
