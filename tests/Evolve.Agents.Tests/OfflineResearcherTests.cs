using System.Text.RegularExpressions;
using Evolve.Agents.Novelty;
using Evolve.Agents.Offline;
using Evolve.Engineering.StaticChecks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace Evolve.Agents.Tests;

public sealed class OfflineResearcherTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("evolve-agents-").FullName;
    private readonly OfflineResearcher _researcher = new(new OfflineResearcherOptions());

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Mutant_of_the_initial_program_parses_passes_the_static_check_and_differs()
    {
        var checker = new StaticChecker(new CandidateCompiler());
        for (var round = 1; round <= 6; round++)
        {
            var outcome = await _researcher.ProposeAsync(Programs.Request(Programs.Node("n00000", Programs.Initial), seed: 7, round), CancellationToken.None);

            Assert.True(outcome.Succeeded, outcome.FailureReason);
            var code = outcome.Proposal!.Code;
            Assert.DoesNotContain(CSharpSyntaxTree.ParseText(code).GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
            Assert.NotEqual(CodeNormalizer.Normalize(Programs.Initial), CodeNormalizer.Normalize(code));
            var check = checker.Check(code, Programs.CirclePacking, Path.Combine(_scratch, $"r{round}.dll"), CancellationToken.None);
            Assert.True(check.Passed, $"round {round}: {check.Error}\n{code}");
            Assert.Equal(ProposalMode.Full, outcome.Proposal.Mode);
            Assert.Equal("offline", outcome.Proposal.ResearcherKind);
            output.WriteLine($"round {round}: {outcome.Proposal.Name} | {outcome.Proposal.Motivation}");
        }
    }

    [Fact]
    public async Task Same_seed_and_round_give_the_same_program_and_other_seeds_differ()
    {
        var root = Programs.Node("n00000", Programs.Initial);
        var first = await _researcher.ProposeAsync(Programs.Request(root, 42, 3), CancellationToken.None);
        var again = await new OfflineResearcher(new OfflineResearcherOptions()).ProposeAsync(Programs.Request(root, 42, 3), CancellationToken.None);
        Assert.Equal(first.Proposal!.Code, again.Proposal!.Code);
        Assert.Equal(first.Proposal.Motivation, again.Proposal.Motivation);

        var others = new HashSet<string>();
        for (var seed = 1; seed <= 5; seed++)
        {
            others.Add((await _researcher.ProposeAsync(Programs.Request(root, seed, 3), CancellationToken.None)).Proposal!.Code);
        }
        Assert.True(others.Count >= 4, $"only {others.Count} distinct programs from 5 seeds");
    }

    [Fact]
    public async Task Motivation_names_every_listed_change_with_its_line_and_the_code_really_has_it()
    {
        var outcome = await _researcher.ProposeAsync(Programs.Request(Programs.Node("n00000", Programs.Initial), 11, 1), CancellationToken.None);
        var motivation = outcome.Proposal!.Motivation;
        Assert.Matches(@"^Perturbed \d+ of \d+ tunable literals by ~[\d.]+%", motivation);
        var changes = Regex.Matches(motivation, @"(?<old>[\d.eE+-]+[fFdDmM]?)→(?<new>[\d.eE+-]+[fFdDmM]?) at line (?<line>\d+)");
        Assert.NotEmpty(changes);
        var initialLines = Programs.Initial.Split('\n');
        var newLines = outcome.Proposal.Code.Split('\n');
        foreach (Match change in changes)
        {
            var line = int.Parse(change.Groups["line"].Value) - 1;
            Assert.Contains(change.Groups["old"].Value, initialLines[line]);
            Assert.Contains(change.Groups["new"].Value, newLines[line]);
        }
        // Only the parameter table and constants change, never formulas such as `1.0 - x` or loop starts.
        var methodBody = Programs.Initial[Programs.Initial.IndexOf("public static double[][] Construct()", StringComparison.Ordinal)..];
        Assert.EndsWith(methodBody, outcome.Proposal.Code);
    }

    [Fact]
    public async Task Crossover_takes_values_from_a_context_node_with_the_same_structure()
    {
        var root = Programs.Node("n00000", Programs.Initial);
        // A partner whose centres differ everywhere from the root's: shifted coordinates.
        var partnerCode = Programs.Initial.Replace("0.1000 }", "0.1100 }").Replace("0.3000 }", "0.3100 }");
        var partner = Programs.Node("n00017", partnerCode);
        var options = new OfflineResearcherOptions { CrossoverProbability = 1.0 };
        var crossed = 0;
        for (var round = 1; round <= 5; round++)
        {
            var outcome = await new OfflineResearcher(options).ProposeAsync(Programs.Request(root, 5, round, partner), CancellationToken.None);
            var proposal = outcome.Proposal!;
            Assert.Matches(@"rossover with n00017 at \d+ positions?", proposal.Motivation);
            Assert.Contains("n00017", proposal.Name);
            var fromPartner = Regex.Matches(proposal.Code, @"0\.[13]100 }").Count;
            var fromRoot = Regex.Matches(proposal.Code, @"0\.[13]000 }").Count;
            Assert.True(fromPartner > 0, "nothing came from the partner");
            Assert.True(fromRoot > 0, "nothing of the root's differing values was kept");
            crossed++;
        }
        Assert.Equal(5, crossed);
    }

    [Fact]
    public async Task Context_node_with_a_different_structure_is_not_used_for_crossover()
    {
        var root = Programs.Node("n00000", Programs.Initial);
        var other = Programs.Node("n00009", "public static class Packing { public static double[][] Construct() => new[] { new[] { 0.5, 0.5, 0.25 } }; }");
        var outcome = await new OfflineResearcher(new OfflineResearcherOptions { CrossoverProbability = 1.0 })
            .ProposeAsync(Programs.Request(root, 5, 1, other), CancellationToken.None);
        Assert.DoesNotContain("rossover", outcome.Proposal!.Motivation);
        Assert.StartsWith("Perturbed", outcome.Proposal.Motivation);
    }

    [Fact]
    public async Task Integers_stay_integers_and_suffixes_and_near_one_factors_survive()
    {
        const string code = """
            public static class P
            {
                private const int Count = 40;
                private const float Step = 0.25f;
                private const double Safety = 0.999999;
                private const long Big = 1000000L;
                private static readonly int[] Table = new int[3];
                public static double Run() => Count * Step * Safety + Big + Table.Length;
            }
            """;
        var seen = new HashSet<string>();
        for (var round = 1; round <= 40; round++)
        {
            var outcome = await new OfflineResearcher(new OfflineResearcherOptions { MaxMutatedFraction = 1.0 })
                .ProposeAsync(Programs.Request(Programs.Node("n00001", code), 3, round), CancellationToken.None);
            var result = outcome.Proposal!.Code;
            Assert.Matches(@"const int Count = \d+;", result);
            Assert.Matches(@"const float Step = \d+\.\d+f;", result);
            Assert.Matches(@"const long Big = \d+L;", result);
            Assert.Contains("new int[3]", result);
            var safety = double.Parse(Regex.Match(result, @"Safety = ([\d.]+);").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(safety, 0.99, 1.0 - 1e-9);
            seen.Add(Regex.Match(result, @"Safety = ([\d.]+);").Groups[1].Value);
        }
        Assert.True(seen.Count > 1, "the near-one factor never changed");
    }

    [Fact]
    public async Task Program_without_tunable_literals_is_a_recorded_failure()
    {
        var outcome = await _researcher.ProposeAsync(
            Programs.Request(Programs.Node("n00003", "public static class P { public static int Run() => new int[1][0] + 1; }"), 1, 1), CancellationToken.None);
        Assert.False(outcome.Succeeded);
        Assert.Contains("no tunable numeric literals", outcome.FailureReason);
        Assert.Equal("offline", outcome.ResearcherKind);
    }

    [Fact]
    public async Task Root_that_does_not_parse_is_a_recorded_failure()
    {
        var outcome = await _researcher.ProposeAsync(Programs.Request(Programs.Node("n00004", "public static class { 0.5"), 1, 1), CancellationToken.None);
        Assert.False(outcome.Succeeded);
        Assert.Contains("does not parse", outcome.FailureReason);
    }
}
