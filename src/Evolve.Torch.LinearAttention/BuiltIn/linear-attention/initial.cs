// DeltaNet: linear attention whose fast-weight state is updated with the delta rule, computed in chunks.
// This is the baseline the search starts from; the evaluator trains the same layer (Evolve.Torch's reference
// DeltaNet) as its yardstick, so this program scores a fitness of exactly 1.
using Evolve.Torch.Mixers;
using TorchSharp.Modules;
using static TorchSharp.torch;

public static class LinearAttention
{
    /// <summary>The entry point: a factory building one mixer for a model of width <c>dim</c>.</summary>
    public static MixerFactory Create() => dim => new DeltaNetLayer(dim, heads: 4, chunkSize: 64, convolutionSize: 4);
}

/// <summary>
/// Keys and queries are L2-normalised per head (so I − βkkᵀ is a contraction), β = sigmoid(·) gates how much of a
/// key's old association is overwritten, a short causal convolution gives cheap access to the last few tokens, and
/// a per-head RMSNorm precedes the output projection.
/// </summary>
public sealed class DeltaNetLayer : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkvProj, betaProj, outProj;
    private readonly CausalConvolution qkvConv;
    private readonly HeadNorm headNorm;
    private readonly int heads, headDim, chunkSize;

    public DeltaNetLayer(int dim, int heads, int chunkSize, int convolutionSize) : base("DeltaNet")
    {
        if (heads < 1 || dim % heads != 0) throw new ArgumentException($"model width {dim} must be a multiple of the head count {heads}");
        this.heads = heads;
        headDim = dim / heads;
        this.chunkSize = chunkSize;
        qkvProj = nn.Linear(dim, 3 * dim, hasBias: false);
        betaProj = nn.Linear(dim, heads, hasBias: true);
        outProj = nn.Linear(dim, dim, hasBias: false);
        qkvConv = new CausalConvolution(3 * dim, convolutionSize);
        headNorm = new HeadNorm(headDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], time = input.shape[1];
        var qkv = qkvConv.forward(qkvProj.forward(input));
        var parts = nn.functional.silu(qkv).chunk(3, dim: -1);
        var q = SplitHeads(parts[0], batch, time);
        var k = SplitHeads(parts[1], batch, time);
        var v = SplitHeads(parts[2], batch, time);
        q = q * q.pow(2).sum([-1], keepdim: true).add(1e-6).rsqrt();
        k = k * k.pow(2).sum([-1], keepdim: true).add(1e-6).rsqrt();
        var beta = betaProj.forward(input).sigmoid().transpose(1, 2); // (batch, heads, time)
        var mixed = headNorm.forward(ChunkedDeltaRule(q, k, v, beta, chunkSize));
        var merged = mixed.transpose(1, 2).reshape(batch, time, heads * headDim);
        return outProj.forward(merged).MoveToOuterDisposeScope();
    }

    private Tensor SplitHeads(Tensor x, long batch, long time) => x.reshape(batch, time, heads, headDim).transpose(1, 2);

    /// <summary>
    /// The delta rule S_t = S_{t-1}(I − β_t k_t k_tᵀ) + β_t v_t k_tᵀ, o_t = S_t q_t, in chunks of C tokens. The state is
    /// held transposed, M = Sᵀ (dk × dv). Within a chunk starting from M, the pseudo-values U solve
    /// (I + diag(β) tril₋₁(KKᵀ)) U = diag(β)(V − K M), i.e. U = Ũ − W M with Ũ and W from one triangular solve for
    /// all chunks at once; then O = Q M + tril(QKᵀ) U and M ← M + KᵀU. Linear in time: O(T·C) work, T/C sequential steps.
    /// q, k: (batch, heads, time, dk); v: (batch, heads, time, dv); beta: (batch, heads, time).
    /// </summary>
    private static Tensor ChunkedDeltaRule(Tensor q, Tensor k, Tensor v, Tensor beta, int chunkSize)
    {
        using var scope = NewDisposeScope();
        long batch = q.shape[0], heads = q.shape[1], time = q.shape[2], dk = q.shape[3], dv = v.shape[3];
        long chunk = Math.Min(chunkSize, time);
        long pad = (chunk - time % chunk) % chunk;
        if (pad > 0)
        {
            // Zero keys, values and β leave the state untouched, so padding at the end is harmless.
            q = nn.functional.pad(q, [0, 0, 0, pad]);
            k = nn.functional.pad(k, [0, 0, 0, pad]);
            v = nn.functional.pad(v, [0, 0, 0, pad]);
            beta = nn.functional.pad(beta, [0, pad]);
        }
        long chunks = (time + pad) / chunk;
        q = q.reshape(batch, heads, chunks, chunk, dk);
        k = k.reshape(batch, heads, chunks, chunk, dk);
        v = v.reshape(batch, heads, chunks, chunk, dv);
        var b = beta.reshape(batch, heads, chunks, chunk, 1);

        var kBeta = k * b;
        var system = kBeta.matmul(k.transpose(-1, -2)).tril(-1) + eye(chunk, dtype: q.dtype, device: q.device);
        var solved = linalg.solve_triangular(system, cat([kBeta, v * b], dim: -1), upper: false, left: true, unitriangular: true);
        var w = solved.narrow(-1, 0, dk);
        var uTilde = solved.narrow(-1, dk, dv);
        var intraChunk = q.matmul(k.transpose(-1, -2)).tril();

        var state = zeros(batch, heads, dk, dv, dtype: v.dtype, device: v.device);
        var outputs = new List<Tensor>((int)chunks);
        for (long c = 0; c < chunks; c++)
        {
            var qc = q.select(2, c);
            var kc = k.select(2, c);
            var u = uTilde.select(2, c) - w.select(2, c).matmul(state);
            outputs.Add(qc.matmul(state) + intraChunk.select(2, c).matmul(u));
            state = state + kc.transpose(-1, -2).matmul(u);
        }
        var output = stack(outputs, dim: 2).reshape(batch, heads, chunks * chunk, dv);
        return output.narrow(2, 0, time).MoveToOuterDisposeScope();
    }
}

/// <summary>Causal depthwise convolution over time on (batch, time, channels): position t sees t-kernel+1 .. t.</summary>
public sealed class CausalConvolution : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight; // (kernel, channels)
    private readonly int kernelSize;

    public CausalConvolution(int channels, int kernelSize) : base("ShortConvolution")
    {
        this.kernelSize = kernelSize;
        double bound = 1 / Math.Sqrt(kernelSize);
        weight = new Parameter(rand(kernelSize, channels) * (2 * bound) - bound);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long time = input.shape[1];
        var padded = nn.functional.pad(input, [0, 0, kernelSize - 1, 0]); // left padding only: nothing from the future
        var output = padded.narrow(1, 0, time) * weight[0];
        for (int j = 1; j < kernelSize; j++) output = output + padded.narrow(1, j, time) * weight[j];
        return output.MoveToOuterDisposeScope();
    }
}

/// <summary>Root-mean-square normalisation over the last dimension with a learned gain.</summary>
public sealed class HeadNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double eps;

    public HeadNorm(long dim, double eps = 1e-6) : base("RmsNorm")
    {
        weight = new Parameter(ones(dim));
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scale = input.pow(2).mean([-1], keepdim: true).add(eps).rsqrt();
        return (input * scale * weight).MoveToOuterDisposeScope();
    }
}
