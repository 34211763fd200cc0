using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Evolve.Agents.Novelty;

/// <summary>
/// The novelty judge without a model. Literal-only mutants embed very close to their parent (0.98–0.996 with the
/// hashing embedder on circle packing), yet each is a new point in parameter space worth evaluating. So: a candidate
/// that is the same program as a similar node modulo numbers is novel when some number moved by at least
/// <see cref="NoveltyOptions.MinRelativeParameterChange"/>; any other near duplicate (a rename, a reordering, a change
/// the embedding cannot tell apart) is treated as a duplicate, since judging it needs a model.
/// </summary>
public sealed class ParameterNoveltyJudge(NoveltyOptions options) : INoveltyJudge
{
    public Task<NoveltyJudgement> JudgeAsync(NoveltyJudgeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var candidateRoot = CSharpSyntaxTree.ParseText(request.Candidate.Code, cancellationToken: cancellationToken).GetRoot(cancellationToken);
        var skeleton = CodeNormalizer.Skeleton(candidateRoot);
        var numbers = Numbers(candidateRoot);
        var reasons = new List<string>();
        foreach (var similar in request.Similar)
        {
            var otherRoot = CSharpSyntaxTree.ParseText(similar.Node.Code, cancellationToken: cancellationToken).GetRoot(cancellationToken);
            if (CodeNormalizer.Skeleton(otherRoot) != skeleton)
                return Task.FromResult(Verdict(false,
                    $"a structural change that embeds like {similar.Node.NodeId}; without a model it cannot be told apart"));
            var otherNumbers = Numbers(otherRoot);
            var changed = 0;
            var largest = 0.0;
            for (var i = 0; i < numbers.Count; i++)
            {
                var relative = Math.Abs(numbers[i] - otherNumbers[i]) / Math.Max(Math.Abs(otherNumbers[i]), 1e-12);
                if (relative > 0) changed++;
                largest = Math.Max(largest, relative);
            }
            if (largest < options.MinRelativeParameterChange)
                return Task.FromResult(Verdict(false,
                    $"the same program as {similar.Node.NodeId} with numbers changed by at most {Percent(largest)} (< {Percent(options.MinRelativeParameterChange)})"));
            reasons.Add($"{changed} number{(changed == 1 ? "" : "s")} differ from {similar.Node.NodeId} (largest change {Percent(largest)})");
        }
        return Task.FromResult(Verdict(true, "a new parameter setting: " + string.Join("; ", reasons)));
    }

    private static List<double> Numbers(SyntaxNode root) =>
        root.DescendantTokens()
            .Where(t => t.IsKind(SyntaxKind.NumericLiteralToken))
            .Select(t => Convert.ToDouble(t.Value, CultureInfo.InvariantCulture))
            .ToList();

    private static NoveltyJudgement Verdict(bool novel, string reason) => new(novel, reason, null, TokenUsage.None);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";
}
