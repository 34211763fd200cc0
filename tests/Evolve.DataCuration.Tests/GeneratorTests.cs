using Evolve.DataCuration.Synthetic;

namespace Evolve.DataCuration.Tests;

public sealed class GeneratorTests
{
    [Fact]
    public async Task Same_seed_gives_identical_shards_and_truth_and_every_noise_kind_is_recorded()
    {
        using var temp = new TempFolder();
        var options = new SyntheticCorpusOptions(2, 200, Seed: 5, RowGroupSize: 50);
        var a = await new SyntheticCorpusGenerator().GenerateAsync(temp.Sub("a"), options, default);
        var b = await new SyntheticCorpusGenerator().GenerateAsync(temp.Sub("b"), options, default);
        for (var i = 0; i < a.Count; i++) Assert.Equal(await File.ReadAllBytesAsync(a[i]), await File.ReadAllBytesAsync(b[i]));

        var truth = GroundTruthFiles.Read(temp.Sub("a")).ToList();
        Assert.Equal(400, truth.Count);
        var kinds = truth.SelectMany(t => t.Noise.Select(n => n.Kind)).Concat(truth.Select(t => t.Kind)).ToHashSet();
        foreach (var kind in new[] { NoiseKind.Html, NoiseKind.Boilerplate, NoiseKind.Pii, NoiseKind.Mojibake, NoiseKind.JunkLines, NoiseKind.Duplicate, NoiseKind.NearDuplicate, NoiseKind.Fragment, NoiseKind.Spam })
        {
            Assert.Contains(kind, kinds);
        }

        Assert.All(truth.Where(t => t.Kind is NoiseKind.Duplicate or NoiseKind.NearDuplicate), t => Assert.NotNull(t.DuplicateOf));
        Assert.All(truth.Where(t => t.Kind == "content"), t => Assert.DoesNotContain(t.Pii, p => t.Clean!.Contains(p, StringComparison.Ordinal)));
    }
}
