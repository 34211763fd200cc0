// NOT A CANDIDATE. Plain causal softmax attention, kept for comparison only: it materialises the time × time score
// matrix, so its cost grows quadratically and the 'checks' stage rejects it (sub-quadratic check). It shows the
// quality that linear attention tries to reach at linear cost.
using Evolve.Torch.Mixers;
using TorchSharp.Modules;
using static TorchSharp.torch;

public static class LinearAttention
{
    public static MixerFactory Create() => dim => new SoftmaxAttentionLayer(dim, heads: 4);
}

public sealed class SoftmaxAttentionLayer : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv, outProj;
    private readonly int heads, headDim;

    public SoftmaxAttentionLayer(int dim, int heads) : base("SoftmaxAttention")
    {
        this.heads = heads;
        headDim = dim / heads;
        qkv = nn.Linear(dim, 3 * dim, hasBias: false);
        outProj = nn.Linear(dim, dim, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], time = input.shape[1];
        var parts = qkv.forward(input).view(batch, time, 3, heads, headDim).permute(2, 0, 3, 1, 4);
        var scores = parts[0].matmul(parts[1].transpose(-1, -2)) / Math.Sqrt(headDim);
        var future = ones(time, time, dtype: ScalarType.Bool, device: input.device).triu(1);
        var weights = scores.masked_fill(future, double.NegativeInfinity).softmax(-1);
        var merged = weights.matmul(parts[2]).transpose(1, 2).reshape(batch, time, heads * headDim);
        return outProj.forward(merged).MoveToOuterDisposeScope();
    }
}
