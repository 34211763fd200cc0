using System.Globalization;
using System.Text;
using Evolve.Agents.Novelty;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Evolve.Agents.Offline;

/// <summary>
/// The researcher without a model: changes the numeric parameters of the root program by scale-aware Gaussian
/// perturbation and, when a context node has the same program structure, copies a run of its values (crossover).
/// Deterministic for (seed, round); never returns code that does not parse.
/// </summary>
public sealed class OfflineResearcher(OfflineResearcherOptions options) : IResearcher
{
    public const string ResearcherKind = "offline";

    // Noise scales drawn per round, as multiples of RelativeNoise: small steps refine, large ones explore.
    private static readonly double[] NoiseScales = [0.25, 1.0, 2.5];

    public string Kind => ResearcherKind;

    public Task<ResearchOutcome> ProposeAsync(ResearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Propose(request, cancellationToken));
    }

    private ResearchOutcome Propose(ResearchRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Root.Code))
            return Fail($"the root node {request.Root.Id} has no code to mutate");
        var tree = CSharpSyntaxTree.ParseText(request.Root.Code, cancellationToken: cancellationToken);
        if (HasSyntaxErrors(tree))
            return Fail($"the root program {request.Root.Id} does not parse, so its literals cannot be rewritten safely");
        var root = tree.GetRoot(cancellationToken);
        var literals = NumericLiteralScanner.Scan(root);
        if (literals.Count == 0)
            return Fail($"the root program {request.Root.Id} has no tunable numeric literals (only 0/1 integers, indices or array sizes)");

        var random = DeterministicRandom.For(request.Seed, request.Round);
        var changes = new Dictionary<int, Change>();
        var crossover = TryCrossover(request, root, literals, random, changes, cancellationToken);

        var noise = options.RelativeNoise * NoiseScales[random.Next(NoiseScales.Length)];
        var maxMutations = Math.Max(1, (int)Math.Ceiling(literals.Count * options.MaxMutatedFraction));
        var mutationCount = crossover is null ? 1 + random.Next(maxMutations) : random.Next(maxMutations);
        var mutated = Mutate(literals, mutationCount, noise, random, changes);

        if (changes.Count == 0) return Fail($"no literal of {request.Root.Id} could be changed");
        var rewritten = root.ReplaceTokens(
            changes.Keys.Select(i => literals[i].Token),
            (original, _) => SyntaxFactory.ParseToken(changes[IndexOf(literals, original)].NewText).WithTriviaFrom(original));
        var code = rewritten.ToFullString();

        // Belt and braces: the rewrite only swaps literal tokens, but a candidate that does not parse must never leave here.
        if (HasSyntaxErrors(CSharpSyntaxTree.ParseText(code, cancellationToken: cancellationToken)))
            return Fail("the rewritten program did not parse (a literal was written in a form C# rejects)");
        if (CodeNormalizer.Normalize(code) == CodeNormalizer.Normalize(request.Root.Code))
            return Fail("the changes did not alter the program");

        var motivation = Describe(literals, changes, mutated, noise, crossover);
        var name = crossover is null
            ? $"Perturb {mutated} literal{(mutated == 1 ? "" : "s")} ~{Percent(noise)}"
            : $"Crossover with {crossover.PartnerId} ({crossover.Positions}){(mutated > 0 ? $" + perturb {mutated} ~{Percent(noise)}" : "")}";
        return ResearchOutcome.Success(new ResearchProposal(name, motivation, code, ProposalMode.Full, ResearcherKind, null, TokenUsage.None));
    }

    private CrossoverSummary? TryCrossover(
        ResearchRequest request, SyntaxNode root, IReadOnlyList<NumericLiteral> literals, DeterministicRandom random,
        Dictionary<int, Change> changes, CancellationToken cancellationToken)
    {
        if (request.Context.Count == 0 || random.NextDouble() >= options.CrossoverProbability) return null;
        var skeleton = CodeNormalizer.Skeleton(root);
        var partners = new List<(NodeView Node, IReadOnlyList<NumericLiteral> Literals, List<int> Differing)>();
        foreach (var context in request.Context)
        {
            if (context.Id == request.Root.Id || string.IsNullOrWhiteSpace(context.Code)) continue;
            var contextTree = CSharpSyntaxTree.ParseText(context.Code, cancellationToken: cancellationToken);
            if (HasSyntaxErrors(contextTree)) continue;
            var contextRoot = contextTree.GetRoot(cancellationToken);
            // Same program modulo numbers: then literal i of one is literal i of the other.
            if (CodeNormalizer.Skeleton(contextRoot) != skeleton) continue;
            var contextLiterals = NumericLiteralScanner.Scan(contextRoot);
            if (contextLiterals.Count != literals.Count) continue;
            var differing = Enumerable.Range(0, literals.Count).Where(i => contextLiterals[i].Value != literals[i].Value).ToList();
            if (differing.Count > 0) partners.Add((context, contextLiterals, differing));
        }
        if (partners.Count == 0) return null;

        var (partner, partnerLiterals, positions) = partners[random.Next(partners.Count)];
        // Two-point crossover over the differing positions: neighbouring values (one circle's x and y) travel together.
        var length = 1 + random.Next(Math.Max(1, (positions.Count + 1) / 2));
        var start = random.Next(positions.Count - Math.Min(length, positions.Count) + 1);
        var taken = positions.Skip(start).Take(length).ToList();
        foreach (var i in taken)
        {
            changes[i] = new Change(literals[i].Text, partnerLiterals[i].Text, literals[i].Line, FromPartner: true);
        }
        return new CrossoverSummary(partner.Id, taken.Count, literals[taken[0]].Line, literals[taken[^1]].Line);
    }

    private static int Mutate(IReadOnlyList<NumericLiteral> literals, int count, double noise, DeterministicRandom random, Dictionary<int, Change> changes)
    {
        // A seeded shuffle of the free positions; take the first `count` that accept a change.
        var free = Enumerable.Range(0, literals.Count).Where(i => !changes.ContainsKey(i)).ToArray();
        for (var i = free.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (free[i], free[j]) = (free[j], free[i]);
        }

        var mutated = 0;
        foreach (var index in free)
        {
            if (mutated >= count) break;
            var literal = literals[index];
            var newValue = Perturb(literal, noise, random);
            if (newValue is null) continue;
            var text = LiteralFormatter.Format(literal, newValue.Value);
            if (LiteralFormatter.ParsedValue(text) == literal.Value) continue;
            changes[index] = new Change(literal.Text, text, literal.Line, FromPartner: false);
            mutated++;
        }
        return mutated;
    }

    /// <summary>The new value, or null when this literal should stay (zero, or a tiny integer that lost its draw).</summary>
    private static double? Perturb(NumericLiteral literal, double noise, DeterministicRandom random)
    {
        var factor = Math.Max(0.1, 1 + noise * random.NextGaussian());
        if (literal.IsInteger)
        {
            // Small integers are usually counts and bounds: change them rarely, and by one.
            if (literal.Value < 8 && random.NextDouble() >= 0.25) return null;
            var delta = Math.Round(literal.Value * (factor - 1));
            if (delta == 0) delta = random.NextDouble() < 0.5 ? -1 : 1;
            return Math.Max(2, literal.Value + delta);
        }
        if (literal.Value == 0) return null;
        // Values just below 1 are safety factors and tolerances: scale their distance from 1, not the value itself.
        if (literal.Value is > 0.99 and < 1) return 1 - (1 - literal.Value) * factor;
        return literal.Value * factor;
    }

    private string Describe(IReadOnlyList<NumericLiteral> literals, Dictionary<int, Change> changes, int mutated, double noise, CrossoverSummary? crossover)
    {
        var text = new StringBuilder();
        var perturbed = changes.Where(c => !c.Value.FromPartner).OrderBy(c => c.Key).Select(c => c.Value).ToList();
        if (perturbed.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"Perturbed {mutated} of {literals.Count} tunable literals by ~{Percent(noise)} (relative Gaussian noise): ");
            text.Append(string.Join(", ", perturbed.Take(options.MotivationMaxChanges).Select(c => $"{c.OldText}→{c.NewText} at line {c.Line}")));
            if (perturbed.Count > options.MotivationMaxChanges) text.Append(CultureInfo.InvariantCulture, $" (+{perturbed.Count - options.MotivationMaxChanges} more)");
        }
        if (crossover is not null)
        {
            text.Append(text.Length > 0 ? "; crossover" : "Crossover");
            var lines = crossover.FirstLine == crossover.LastLine ? $"line {crossover.FirstLine}" : $"lines {crossover.FirstLine}–{crossover.LastLine}";
            text.Append(CultureInfo.InvariantCulture, $" with {crossover.PartnerId} at {crossover.Positions} position{(crossover.Positions == 1 ? "" : "s")} ({lines}): ");
            var taken = changes.Where(c => c.Value.FromPartner).OrderBy(c => c.Key).Select(c => c.Value).ToList();
            text.Append(string.Join(", ", taken.Take(options.MotivationMaxChanges).Select(c => $"{c.OldText}→{c.NewText}")));
            if (taken.Count > options.MotivationMaxChanges) text.Append(CultureInfo.InvariantCulture, $" (+{taken.Count - options.MotivationMaxChanges} more)");
        }
        text.Append('.');
        return text.ToString();
    }

    private static int IndexOf(IReadOnlyList<NumericLiteral> literals, SyntaxToken token)
    {
        for (var i = 0; i < literals.Count; i++)
        {
            if (literals[i].Token.Span == token.Span) return i;
        }
        throw new InvalidOperationException("rewritten token is not a scanned literal");
    }

    private static bool HasSyntaxErrors(SyntaxTree tree) => tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static ResearchOutcome Fail(string reason) => ResearchOutcome.Failure(reason, ResearcherKind);

    private sealed record Change(string OldText, string NewText, int Line, bool FromPartner);

    private sealed record CrossoverSummary(string PartnerId, int Positions, int FirstLine, int LastLine);
}
