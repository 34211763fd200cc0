namespace Evolve.Agents;

/// <summary>Asks for a rubric score of an evaluated candidate.</summary>
public sealed record JudgeRequest(string TaskStatement, string Rubric, NodeView Candidate);

/// <summary>A rubric score in [0, 1], blended into the node's score with a configured weight.</summary>
public sealed record JudgeScore(double Score, string Rationale, string? Model, TokenUsage Usage)
{
    public JudgeScore Validated() =>
        double.IsFinite(Score) && Score is >= 0 and <= 1
            ? this
            : throw new InvalidOperationException($"A judge score must be a finite number in [0, 1]; got {Score}.");
}

/// <summary>Optional: no offline implementation; the loop skips judging when none is registered.</summary>
public interface IJudge
{
    Task<JudgeScore> ScoreAsync(JudgeRequest request, CancellationToken cancellationToken);
}
