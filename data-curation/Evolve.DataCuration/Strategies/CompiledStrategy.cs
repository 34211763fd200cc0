using System.Runtime.Loader;
using Evolve.DataCuration.Cleaning;

namespace Evolve.DataCuration.Strategies;

/// <summary>
/// A strategy built by a compiled strategy file: the pipeline its <c>Build()</c> returned, identified by the hash of
/// its source (what manifests record). Disposing unloads the candidate's collectible load context once nothing
/// references its types any more.
/// </summary>
public sealed class CompiledStrategy : ICleaningStrategy, IDisposable
{
    private readonly AssemblyLoadContext context;

    internal CompiledStrategy(ICleaningStrategy pipeline, string sourceHash, string origin, AssemblyLoadContext context)
    {
        Pipeline = pipeline;
        Hash = sourceHash;
        Origin = origin;
        this.context = context;
    }

    /// <summary>What <c>Build()</c> returned.</summary>
    public ICleaningStrategy Pipeline { get; }

    /// <summary>The file (or "builtin") the source came from.</summary>
    public string Origin { get; }

    public string Name => Pipeline.Name;

    public IReadOnlyList<ICleaningOperation> Operations => Pipeline.Operations;

    public DeduplicationOptions? Deduplication => Pipeline.Deduplication;

    /// <summary>Hash of the strategy's source text (<see cref="StrategySource.Hash"/>).</summary>
    public string Hash { get; }

    public override string ToString() => $"{Name} ({Hash}): {Pipeline}";

    public void Dispose() => context.Unload();
}
