using Evolve.Agents.Novelty;
using Evolve.Agents.Offline;
using Evolve.Storage;
using Xunit;
using Xunit.Abstractions;

namespace Evolve.Agents.Tests;

public sealed class NoveltyCheckerTests(ITestOutputHelper output)
{
    private static NoveltyChecker Checker(double threshold = 0.95, INoveltyJudge? judge = null) =>
        new(new HashingEmbeddingGenerator(), new NoveltyOptions { SimilarityThreshold = threshold }, judge);

    private static readonly NoveltyReference Initial = new("n00000", "initial", "A grid of centres, radii shrunk pairwise.", Programs.Initial);

    private const string Spiral = """
        using System;
        public static class Packing
        {
            public static double[][] Construct()
            {
                var result = new List<double[]>();
                var golden = Math.PI * (3 - Math.Sqrt(5));
                for (var k = 0; k < 26; k++)
                {
                    var r = 0.45 * Math.Sqrt((k + 0.5) / 26.0);
                    result.Add(new[] { 0.5 + r * Math.Cos(k * golden), 0.5 + r * Math.Sin(k * golden), 0.01 });
                }
                return result.ToArray();
            }
        }
        """;

    [Fact]
    public async Task Same_code_with_other_whitespace_and_comments_is_an_exact_duplicate()
    {
        var reformatted = "/* reformatted */\n" + Programs.Initial.Replace("    ", "\t").Replace("// One row per circle", "// another comment")
            .Replace("\n", "\n\n");
        Assert.Equal(CodeNormalizer.Hash(Programs.Initial), CodeNormalizer.Hash(reformatted));

        var verdict = await Checker(threshold: 1.0).CheckAsync(new NoveltyCandidate("copy", "something else entirely", reformatted), [Initial], "", CancellationToken.None);
        Assert.False(verdict.IsNovel);
        Assert.Equal("n00000", verdict.DuplicateOf);
        Assert.Equal(1.0, verdict.Similarity);
        Assert.Contains("exact duplicate of n00000", verdict.Reason);
    }

    [Fact]
    public async Task Near_duplicate_above_the_threshold_is_rejected_without_a_judge()
    {
        var tweaked = Programs.Initial.Replace("{ 0.0833, 0.1000 }", "{ 0.0840, 0.1000 }");
        var verdict = await Checker().CheckAsync(new NoveltyCandidate("tweak", Initial.Motivation, tweaked), [Initial], "", CancellationToken.None);
        Assert.False(verdict.IsNovel);
        Assert.Equal("n00000", verdict.DuplicateOf);
        Assert.InRange(verdict.Similarity, 0.95, 0.99999);
        Assert.Contains("near duplicate of n00000", verdict.Reason);
        Assert.Contains("no novelty judge", verdict.Reason);
    }

    [Fact]
    public async Task Genuinely_different_program_is_novel()
    {
        var verdict = await Checker().CheckAsync(
            new NoveltyCandidate("spiral", "Golden-angle spiral from the centre with equal radii.", Spiral), [Initial], "", CancellationToken.None);
        Assert.True(verdict.IsNovel, verdict.Reason);
        Assert.True(verdict.Similarity < 0.95, $"similarity {verdict.Similarity}");
        Assert.StartsWith("novel", verdict.Reason);
    }

    [Fact]
    public async Task Judge_is_asked_only_above_the_threshold_and_its_verdict_counts()
    {
        var judge = new RecordingJudge(novel: true);
        var tweaked = Programs.Initial.Replace("{ 0.0833, 0.1000 }", "{ 0.0840, 0.1000 }");
        var near = await Checker(judge: judge).CheckAsync(new NoveltyCandidate("tweak", Initial.Motivation, tweaked), [Initial], "task", CancellationToken.None);
        Assert.True(near.IsNovel);
        Assert.Contains("novel by judgement", near.Reason);
        var asked = Assert.Single(judge.Requests);
        Assert.Equal("n00000", Assert.Single(asked.Similar).Node.NodeId);

        await Checker(judge: judge).CheckAsync(new NoveltyCandidate("spiral", "spiral", Spiral), [Initial], "task", CancellationToken.None);
        Assert.Single(judge.Requests);
    }

    [Fact]
    public async Task Offline_mutants_of_the_initial_program_report_their_similarity()
    {
        // Documents how close a literal-only mutant embeds to its parent, so campaigns can pick a threshold.
        var similarities = new List<double>();
        for (var round = 1; round <= 10; round++)
        {
            var proposal = (await new OfflineResearcher(new OfflineResearcherOptions())
                .ProposeAsync(Programs.Request(Programs.Node("n00000", Programs.Initial), 1, round), CancellationToken.None)).Proposal!;
            var verdict = await Checker(threshold: 0.999999).CheckAsync(
                new NoveltyCandidate(proposal.Name, proposal.Motivation, proposal.Code), [Initial], "", CancellationToken.None);
            Assert.Equal("n00000", verdict.DuplicateOf);
            Assert.InRange(verdict.Similarity, 0.5, 0.999999);
            similarities.Add(verdict.Similarity);
        }
        output.WriteLine($"offline mutant vs parent similarity: min={similarities.Min():0.0000} max={similarities.Max():0.0000}");
    }

    [Fact]
    public async Task Offline_judge_accepts_a_real_parameter_change_and_rejects_tiny_or_structural_near_duplicates()
    {
        var options = new NoveltyOptions();
        var checker = new NoveltyChecker(new HashingEmbeddingGenerator(), options, new ParameterNoveltyJudge(options));
        var proposal = (await new OfflineResearcher(new OfflineResearcherOptions())
            .ProposeAsync(Programs.Request(Programs.Node("n00000", Programs.Initial), 1, 2), CancellationToken.None)).Proposal!;

        var mutant = await checker.CheckAsync(new NoveltyCandidate(proposal.Name, proposal.Motivation, proposal.Code), [Initial], "", CancellationToken.None);
        Assert.True(mutant.IsNovel, mutant.Reason);
        Assert.True(mutant.Similarity >= 0.95, $"expected the judge to be consulted; similarity {mutant.Similarity}");
        Assert.Contains("a new parameter setting", mutant.Reason);

        var tiny = Programs.Initial.Replace("{ 0.0833, 0.1000 }", "{ 0.08330001, 0.1000 }");
        var tinyVerdict = await checker.CheckAsync(new NoveltyCandidate("tiny", Initial.Motivation, tiny), [Initial], "", CancellationToken.None);
        Assert.False(tinyVerdict.IsNovel);
        Assert.Contains("numbers changed by at most", tinyVerdict.Reason);

        var renamed = Programs.Initial.Replace("circles", "discs");
        var renamedVerdict = await checker.CheckAsync(new NoveltyCandidate("renamed", Initial.Motivation, renamed), [Initial], "", CancellationToken.None);
        Assert.False(renamedVerdict.IsNovel);
        Assert.Equal("n00000", renamedVerdict.DuplicateOf);
        Assert.Contains("structural change", renamedVerdict.Reason);
    }

    [Fact]
    public void Options_errors_name_the_key_and_the_allowed_values()
    {
        var errors = new AgentsOptions { Novelty = { SimilarityThreshold = 1.5 }, Offline = { RelativeNoise = 0 } }.Validate();
        Assert.Contains(errors, e => e.Contains("Agents:Novelty:SimilarityThreshold must be in (0, 1]", StringComparison.Ordinal) && e.Contains("1.5", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Agents:Offline:RelativeNoise must be in (0, 1]", StringComparison.Ordinal));
    }

    private sealed class RecordingJudge(bool novel) : INoveltyJudge
    {
        public List<NoveltyJudgeRequest> Requests { get; } = [];

        public Task<NoveltyJudgement> JudgeAsync(NoveltyJudgeRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(new NoveltyJudgement(novel, "a different parameter regime", "test-judge", TokenUsage.None));
        }
    }
}
