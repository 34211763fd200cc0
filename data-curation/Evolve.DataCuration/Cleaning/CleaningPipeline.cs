using System.Security.Cryptography;
using System.Text;

namespace Evolve.DataCuration.Cleaning;

/// <summary>The strategy implementation: applies operations in order until one removes the document.</summary>
public sealed class CleaningPipeline : ICleaningStrategy
{
    // Bump when an operation's behaviour changes without a parameter change, so old outputs are redone.
    private const string AlgorithmVersion = "curation-ops-v1";

    private readonly List<ICleaningOperation> operations = [];
    private string? hash;

    public CleaningPipeline(string name) => Name = name;

    public string Name { get; }

    public IReadOnlyList<ICleaningOperation> Operations => operations;

    public DeduplicationOptions? Deduplication { get; private set; }

    public string Hash => hash ??= ComputeHash();

    public CleaningPipeline Add(ICleaningOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operations.Any(o => o.Name == operation.Name))
        {
            throw new ArgumentException($"Operation '{operation.Name}' is already in strategy '{Name}'; each operation appears once.");
        }

        operations.Add(operation);
        hash = null;
        return this;
    }

    /// <summary>Enables run-wide duplicate removal; the <see cref="Operations.RemoveDuplicates"/> step drops planned duplicates.</summary>
    public CleaningPipeline Deduplicate(DeduplicationOptions options)
    {
        options.Validate();
        Deduplication = options;
        hash = null;
        return Add(new Operations.RemoveDuplicates());
    }

    /// <summary>Cleans one document; <paramref name="statistics"/> has one entry per operation, in order.</summary>
    public static void Apply(ICleaningStrategy strategy, CleaningDocument document, IReadOnlyList<OperationStatistics> statistics)
    {
        var ops = strategy.Operations;
        for (var i = 0; i < ops.Count && !document.IsRemoved; i++) ops[i].Apply(document, statistics[i]);
    }

    public static OperationStatistics[] CreateStatistics(ICleaningStrategy strategy) =>
        strategy.Operations.Select(o => new OperationStatistics(o.Name)).ToArray();

    /// <summary>The operations and their parameters, in order (what a sandboxed Build() run reports).</summary>
    public override string ToString() =>
        $"{Name}: " + string.Join(" -> ", operations.Select(o => $"{o.Name}({o.Parameters})")) +
        (Deduplication is { } dedup ? $"; dedup({dedup.Canonical})" : "");

    private string ComputeHash()
    {
        var canonical = new StringBuilder(AlgorithmVersion);
        foreach (var op in operations) canonical.Append('\n').Append(op.Name).Append('(').Append(op.Parameters).Append(')');
        canonical.Append("\ndedup(").Append(Deduplication?.Canonical ?? "off").Append(')');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..16];
    }
}
