using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Strategies;
using Evolve.DataCuration.Synthetic;
using Evolve.Durable.Tests.Processes;

namespace Evolve.DataCuration.Tests;

public sealed class StrategyTests
{
    /// <summary>A strategy with an operation of its own besides library ones.</summary>
    internal const string CustomStrategy = """
        using Evolve.DataCuration.Cleaning;
        using Evolve.DataCuration.Cleaning.Operations;

        public sealed class DropShouting : ICleaningOperation
        {
            public string Name => "drop-shouting";
            public string Parameters => "";
            public void Apply(CleaningDocument document, OperationStatistics statistics)
            {
                if (document.Text.Contains("BUY NOW")) statistics.CountRemoval(document);
            }
        }

        public static class Strategy
        {
            public static CleaningPipeline Build() =>
                new CleaningPipeline("custom")
                    .Add(new DropShouting())
                    .Add(new StripMarkup())
                    .Add(new MaskPii());
        }
        """;

    private static StrategySource WriteFile(TempFolder temp, string source, string name = "strategy.cs")
    {
        var path = Path.Combine(temp.Path, name);
        File.WriteAllText(path, source);
        return StrategySource.Resolve(path);
    }

    [Fact]
    public async Task A_strategy_file_compiles_and_curates_end_to_end_with_its_source_hash_in_the_manifest()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 2, DocumentsPerShard: 80, Seed: 4, RowGroupSize: 40), default);
        var source = WriteFile(temp, CustomStrategy);
        using var strategy = new StrategyCompiler().Compile(source, default);
        Assert.Equal(["drop-shouting", "strip-markup", "mask-pii"], strategy.Operations.Select(o => o.Name));
        Assert.Null(strategy.Deduplication);

        var output = Path.Combine(temp.Path, "out");
        var manifest = await Curation.Runner().RunAsync(new CurationRunRequest(input, output, strategy), null, default);

        Assert.Equal((2, 0), (manifest.ShardsOk, manifest.ShardsFailed));
        Assert.Equal(source.Hash, manifest.StrategyHash);
        Assert.Equal("custom", manifest.StrategyName);
        Assert.All(manifest.Shards, s => Assert.Equal(source.Hash, s.StrategyHash));
        Assert.True(manifest.Operations.Single(o => o.Operation == "mask-pii").Edits > 0, "generated shards contain PII to mask");
        Assert.Equal(160, manifest.DocumentsIn);
    }

    [Fact]
    public void The_builtin_strategy_is_the_shipped_task_program_and_builds_the_baseline_pipeline()
    {
        var builtin = StrategySource.Resolve("builtin");
        Assert.Equal(File.ReadAllText(DataCurationTaskFolder.InitialProgramPath), builtin.Text);
        var baseline = Curation.Baseline();
        Assert.Equal("baseline", baseline.Name);
        Assert.Equal(builtin.Hash, baseline.Hash);
        Assert.NotNull(baseline.Deduplication);
        Assert.Equal("remove-duplicates", baseline.Operations[0].Name);
        Assert.Equal("filter-documents", baseline.Operations[^1].Name);
        Assert.Same(baseline, Curation.Baseline());
    }

    [Theory]
    [InlineData("public static class Strategy { public static CleaningPipeline Build() => new CleaningPipeline(\"x\").Add(new NoSuchOperation()); }",
        "does not compile", "NoSuchOperation")]
    [InlineData("using Evolve.DataCuration.Cleaning; using Evolve.DataCuration.Cleaning.Operations;\npublic static class Strategy { public static CleaningPipeline Build() => throw new InvalidOperationException(\"boom\"); }",
        "threw InvalidOperationException: boom", "Strategy.Build()")]
    [InlineData("using Evolve.DataCuration.Cleaning; using Evolve.DataCuration.Cleaning.Operations;\npublic static class Strategy { public static CleaningPipeline Build() { System.IO.File.WriteAllText(\"/tmp/x\", \"\"); return new CleaningPipeline(\"x\").Add(new MaskPii()); } }",
        "forbidden APIs", "System.IO.File.WriteAllText")]
    [InlineData("using Evolve.DataCuration.Cleaning; using Evolve.DataCuration.Cleaning.Operations;\npublic static class Strategy { public static CleaningPipeline Build() { new Evolve.DataCuration.Deduplication.DuplicatePlanner(); return new CleaningPipeline(\"x\").Add(new MaskPii()); } }",
        "forbidden APIs", "Evolve.DataCuration.Deduplication.DuplicatePlanner")]
    [InlineData("public static class Strategy { public static string Build() => \"hello\"; }",
        "returned String", "must return a CleaningPipeline")]
    [InlineData("using Evolve.DataCuration.Cleaning;\npublic static class Strategy { public static CleaningPipeline Build() => new CleaningPipeline(\"empty\"); }",
        "without operations", "add at least one")]
    [InlineData("public static class Other { public static int Build() => 1; }",
        "defines no type 'Strategy'", "public static class Strategy")]
    public void Bad_strategy_files_are_rejected_with_an_error_naming_the_problem(string source, string expected, string alsoExpected)
    {
        using var temp = new TempFolder();
        var error = Assert.Throws<InvalidStrategyException>(() => new StrategyCompiler().Compile(WriteFile(temp, source, "bad.cs"), default));
        Assert.Contains(expected, error.Message);
        Assert.Contains(alsoExpected, error.Message);
        Assert.Contains("bad.cs", error.Message);
    }

    [Fact]
    public void A_missing_strategy_file_is_an_error_that_says_what_to_give()
    {
        var error = Assert.Throws<InvalidStrategyException>(() => StrategySource.Resolve("/no/such/strategy.cs"));
        Assert.Contains("does not exist", error.Message);
        Assert.Contains("--strategy builtin", error.Message);
    }

    [Fact]
    public async Task Curate_command_rejects_a_bad_strategy_file_before_touching_any_shard()
    {
        using var temp = new TempFolder();
        var input = temp.Sub("in");
        var output = Path.Combine(temp.Path, "out");
        await new SyntheticCorpusGenerator().GenerateAsync(input, new SyntheticCorpusOptions(Shards: 1, DocumentsPerShard: 10), default);
        var bad = Path.Combine(temp.Path, "bad.cs");
        await File.WriteAllTextAsync(bad, "public static class Strategy { public static CleaningPipeline Build() => oops; }");

        await using var run = EvolveProcess.Start(["data", "curate", "--input", input, "--output", output, "--strategy", bad]);
        var exit = await run.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.True(exit == 2, $"exit {exit}:\n{run.Output}");
        Assert.Contains("does not compile", run.Output);
        Assert.Contains("'oops'", run.Output);
        Assert.False(Directory.Exists(output) && Directory.GetFiles(output, "*.parquet").Length > 0);
    }
}
