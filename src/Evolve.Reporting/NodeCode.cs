using Evolve.Core;
using Evolve.Storage;

namespace Evolve.Reporting;

/// <summary>The program of a node: inline in the database, or in the campaign's artifact store (<see cref="Node.ArtifactRef"/>).</summary>
public static class NodeCode
{
    public static async Task<string?> ReadAsync(CampaignDirectory directory, Node node, CancellationToken cancellationToken = default)
    {
        if (node.Code is not null) return node.Code;
        if (string.IsNullOrWhiteSpace(node.ArtifactRef)) return null;
        // Artifact references are relative to artifacts/ (the campaign folder stays movable); absolute ones are used as given.
        var path = Path.IsPathRooted(node.ArtifactRef) ? node.ArtifactRef : Path.Combine(directory.ArtifactsDirectory, node.ArtifactRef);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The code of node {node.Id} is stored at {path}, which does not exist (was artifacts/ moved or cleaned?).", path);
        return await File.ReadAllTextAsync(path, cancellationToken);
    }
}
