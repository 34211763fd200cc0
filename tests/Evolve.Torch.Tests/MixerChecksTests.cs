using Xunit.Abstractions;
using Evolve.Torch.Checks;
using Evolve.Torch.Mixers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Evolve.Torch.Tests;

public class MixerChecksTests(ITestOutputHelper output)
{
    private static readonly MixerCheckOptions Options = new() { Dim = 32, ProbeLength = 40 };

    [Fact]
    public void DeltaNet_passes_every_check()
    {
        var results = MixerChecks.RunAll(ReferenceMixers.DeltaNet(new DeltaNetOptions(Heads: 2, ChunkSize: 16)), Options);
        foreach (var r in results) output.WriteLine($"{r.Check}: {r.Reason}");
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Check}: {r.Reason}"));
        Assert.Equal(["parameters", "finite", "causal", "subquadratic"], results.Select(r => r.Check));
    }

    [Fact]
    public void A_layer_that_looks_at_the_future_is_rejected_as_not_causal()
    {
        var results = MixerChecks.RunAll(dim => new SequenceMeanMixer(dim), Options);
        var failed = results.Last();
        Assert.False(failed.Passed);
        Assert.Equal("causal", failed.Check);
        Assert.Contains("not causal", failed.Reason);
    }

    [Fact]
    public void Softmax_attention_is_rejected_under_a_strict_subquadratic_bound()
    {
        var result = MixerChecks.RunAll(ReferenceMixers.SoftmaxAttention(heads: 2), Options with { MaxCostExponent = 1.5 }).Last();
        output.WriteLine(result.Reason);
        Assert.False(result.Passed);
        Assert.Equal("subquadratic", result.Check);
        Assert.Contains("grows as T^", result.Reason);
    }

    [Fact]
    public void Softmax_attention_is_rejected_on_time_alone_when_memory_cannot_tell()
    {
        // A floor above any real allocation blinds the memory measure; CPU time must still catch T².
        var result = MixerChecks.RunAll(ReferenceMixers.SoftmaxAttention(heads: 2), Options with { MemoryFloorBytes = 1e12 }).Last();
        output.WriteLine(result.Reason);
        Assert.False(result.Passed);
        Assert.StartsWith("time grows as T^", result.Reason);
    }

    [Fact]
    public void A_layer_producing_NaN_is_rejected()
    {
        var result = MixerChecks.RunAll(dim => new LogMixer(dim), Options).Last();
        Assert.False(result.Passed);
        Assert.Equal("finite", result.Check);
        Assert.Contains("NaN", result.Reason);
    }

    [Fact]
    public void Parameter_bounds_are_enforced()
    {
        var result = MixerChecks.RunAll(ReferenceMixers.DeltaNet(new DeltaNetOptions(Heads: 2)), Options with { MaxParameters = 1000 }).Single();
        Assert.False(result.Passed);
        Assert.Contains("outside the allowed", result.Reason);
    }

    [Fact]
    public void A_layer_that_throws_while_being_built_is_rejected_with_its_message()
    {
        var result = MixerChecks.RunAll(dim => new DeltaNetMixer(dim, new DeltaNetOptions(Heads: 5)), Options).Single();
        Assert.False(result.Passed);
        Assert.Contains("multiple of the head count", result.Reason);
    }

    /// <summary>Adds the mean over the whole sequence, future included.</summary>
    private sealed class SequenceMeanMixer : nn.Module<Tensor, Tensor>
    {
        private readonly Linear proj;
        public SequenceMeanMixer(int dim) : base("mean") { proj = nn.Linear(dim, dim); RegisterComponents(); }
        public override Tensor forward(Tensor x) => proj.forward(x + x.mean([1], keepdim: true));
    }

    /// <summary>log of a signed input: NaN for every negative value.</summary>
    private sealed class LogMixer : nn.Module<Tensor, Tensor>
    {
        private readonly Linear proj;
        public LogMixer(int dim) : base("log") { proj = nn.Linear(dim, dim); RegisterComponents(); }
        public override Tensor forward(Tensor x) => proj.forward(x).log();
    }
}
