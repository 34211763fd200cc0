using Evolve.Torch.Mixers;
using static TorchSharp.torch;

namespace Evolve.Torch.Tests;

public class DeltaRuleTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]   // does not divide the length: exercises the padding
    [InlineData(16)]
    [InlineData(64)]  // longer than the sequence
    public void Chunked_form_equals_the_step_by_step_recurrence(int chunkSize)
    {
        TorchRuntime.Initialize();
        manual_seed(chunkSize);
        var (q, k, v, beta) = Inputs(batch: 2, heads: 3, time: 37, dk: 8, dv: 5);
        using var expected = DeltaRule.Recurrent(q, k, v, beta);
        using var actual = DeltaRule.Chunked(q, k, v, beta, chunkSize);
        Assert.Equal(expected.shape, actual.shape);
        double difference = (expected - actual).abs().max().item<double>();
        Assert.True(difference < 1e-10, $"max difference {difference}");
    }

    [Fact]
    public void Chunked_gradients_equal_the_recurrence_gradients()
    {
        TorchRuntime.Initialize();
        manual_seed(3);
        var (q, k, v, beta) = Inputs(batch: 1, heads: 2, time: 19, dk: 4, dv: 4);
        var grads = new List<Tensor[]>();
        foreach (var useChunks in new[] { false, true })
        {
            var leaves = new[] { q, k, v, beta }.Select(t => t.detach().clone().requires_grad_(true)).ToArray();
            var output = useChunks
                ? DeltaRule.Chunked(leaves[0], leaves[1], leaves[2], leaves[3], chunkSize: 5)
                : DeltaRule.Recurrent(leaves[0], leaves[1], leaves[2], leaves[3]);
            output.pow(2).sum().backward();
            grads.Add(leaves.Select(l => l.grad!.clone()).ToArray());
        }
        for (int i = 0; i < 4; i++)
            Assert.True((grads[0][i] - grads[1][i]).abs().max().item<double>() < 1e-9);
    }

    [Fact]
    public void The_state_forgets_an_overwritten_association()
    {
        // Writing key k with value a, then k with value b at β = 1, must leave only b under k.
        TorchRuntime.Initialize();
        var k = tensor(new double[] { 1, 0 }, [1, 1, 1, 2]);
        var keys = cat([k, k, k], 2);
        var values = tensor(new double[] { 1, 0, 0, 1, 0, 0 }, [1, 1, 3, 2]);
        var beta = tensor(new double[] { 1, 1, 0 }, [1, 1, 3]);
        using var output = DeltaRule.Recurrent(keys, keys, values, beta);
        Assert.Equal(new double[] { 0, 1 }, output.select(2, 2).flatten().data<double>().ToArray());
    }

    private static (Tensor Q, Tensor K, Tensor V, Tensor Beta) Inputs(int batch, int heads, int time, int dk, int dv)
    {
        var q = randn(batch, heads, time, dk, dtype: ScalarType.Float64);
        var k = randn(batch, heads, time, dk, dtype: ScalarType.Float64);
        k = k / k.norm(-1, keepdim: true);
        q = q / q.norm(-1, keepdim: true);
        var v = randn(batch, heads, time, dv, dtype: ScalarType.Float64);
        var beta = rand(batch, heads, time, dtype: ScalarType.Float64);
        return (q, k, v, beta);
    }
}
