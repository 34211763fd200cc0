namespace Evolve.Agents;

/// <summary>How a proposal carries its program.</summary>
public enum ProposalMode
{
    /// <summary><see cref="ResearchProposal.Code"/> is the whole program.</summary>
    Full,
    /// <summary>
    /// The researcher answered with SEARCH/REPLACE blocks; <see cref="ResearchProposal.Code"/> is the program after they
    /// were applied to the root, so later steps never deal with diffs.
    /// </summary>
    Diff,
}

/// <summary>Everything a researcher gets for one round.</summary>
/// <param name="TaskStatement">The task's problem statement (task.md).</param>
/// <param name="Root">The sampled parent to improve; always an ok node.</param>
/// <param name="Context">Further good nodes for inspiration or recombination, best first.</param>
/// <param name="Lessons">Recent failed nodes, shown as what not to repeat; never roots.</param>
/// <param name="Cognition">Retrieved cognition items, most similar first.</param>
/// <param name="Round">The round being produced.</param>
/// <param name="Seed">Campaign seed; with <paramref name="Round"/> it makes offline research reproducible.</param>
public sealed record ResearchRequest(
    string TaskStatement,
    NodeView Root,
    IReadOnlyList<NodeView> Context,
    IReadOnlyList<NodeView> Lessons,
    IReadOnlyList<RetrievedCognition> Cognition,
    long Round,
    long Seed);

/// <summary>A candidate program proposed by a researcher.</summary>
/// <param name="Name">Short name of the idea.</param>
/// <param name="Motivation">What was changed and why, precise enough for the analyzer to turn into a lesson.</param>
/// <param name="Code">The complete candidate program.</param>
/// <param name="Mode">How the researcher expressed it.</param>
/// <param name="ResearcherKind">"offline", "llm", …, recorded in the node's provenance.</param>
/// <param name="Model">Model that wrote it; null offline.</param>
/// <param name="Usage">Tokens spent, including failed attempts inside the call.</param>
public sealed record ResearchProposal(
    string Name,
    string Motivation,
    string Code,
    ProposalMode Mode,
    string ResearcherKind,
    string? Model,
    TokenUsage Usage);

/// <summary>A proposal, or the recorded reason there is none (garbage reply, unmatched diff, nothing to mutate).</summary>
public sealed record ResearchOutcome(ResearchProposal? Proposal, string? FailureReason, string ResearcherKind, string? Model, TokenUsage Usage)
{
    public bool Succeeded => Proposal is not null;

    public static ResearchOutcome Success(ResearchProposal proposal) =>
        new(proposal, null, proposal.ResearcherKind, proposal.Model, proposal.Usage);

    public static ResearchOutcome Failure(string reason, string researcherKind, string? model = null, TokenUsage? usage = null) =>
        new(null, reason, researcherKind, model, usage ?? TokenUsage.None);
}

/// <summary>Proposes the next candidate of a round. Failures are outcomes, not exceptions (only cancellation throws).</summary>
public interface IResearcher
{
    /// <summary>"offline", "llm", …</summary>
    string Kind { get; }

    Task<ResearchOutcome> ProposeAsync(ResearchRequest request, CancellationToken cancellationToken);
}
