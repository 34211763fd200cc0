using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Evolve.Torch.Mixers;

/// <summary>
/// Plain causal multi-head softmax attention. It materialises the (time × time) score matrix, so
/// its cost is quadratic in time: a comparison point, never a candidate.
/// </summary>
public sealed class SoftmaxAttentionMixer : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv, outProj;
    private readonly int heads, headDim;

    public SoftmaxAttentionMixer(int dim, int heads) : base("SoftmaxAttention")
    {
        if (heads < 1 || dim % heads != 0)
            throw new ArgumentException($"Softmax attention: model width {dim} must be a positive multiple of the head count {heads}.", nameof(heads));
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
        var (q, k, v) = (parts[0], parts[1], parts[2]);
        var scores = q.matmul(k.transpose(-1, -2)) / Math.Sqrt(headDim);
        var future = ones(time, time, dtype: ScalarType.Bool, device: input.device).triu(1);
        var weights = scores.masked_fill(future, double.NegativeInfinity).softmax(-1);
        var merged = weights.matmul(v).transpose(1, 2).reshape(batch, time, heads * headDim);
        return outProj.forward(merged).MoveToOuterDisposeScope();
    }
}
