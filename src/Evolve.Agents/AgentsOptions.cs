using Evolve.Agents.Novelty;
using Evolve.Agents.Offline;

namespace Evolve.Agents;

/// <summary>Settings of the agents (section "Agents").</summary>
public sealed class AgentsOptions
{
    public OfflineResearcherOptions Offline { get; set; } = new();
    public NoveltyOptions Novelty { get; set; } = new();

    /// <summary>Every problem with the settings, each naming the key and the allowed values; empty when valid.</summary>
    public IReadOnlyList<string> Validate() => [.. Offline.Validate(), .. Novelty.Validate()];
}
