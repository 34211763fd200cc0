using Evolve.Torch.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Evolve.Torch.Mixers;

/// <param name="Heads">Number of heads; the model width must divide by it.</param>
/// <param name="ChunkSize">Chunk length of the chunked delta rule.</param>
/// <param name="ConvolutionSize">Causal depthwise short convolution on q, k, v (0 turns it off); it gives
/// the layer cheap access to the last few tokens, which recall tasks rely on.</param>
public sealed record DeltaNetOptions(int Heads = 4, int ChunkSize = 64, int ConvolutionSize = 4);

/// <summary>
/// DeltaNet: linear attention whose fast-weight state is updated with the delta rule.
/// Keys and queries are L2-normalised per head (keeps I − βkkᵀ a contraction), β = sigmoid(·) gates
/// how much of each key's old association is overwritten, and a per-head RMSNorm precedes the output projection.
/// </summary>
public sealed class DeltaNetMixer : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkvProj, betaProj, outProj;
    private readonly ShortConvolution? qkvConv;
    private readonly RmsNorm headNorm;
    private readonly int heads, headDim, chunkSize;

    public DeltaNetMixer(int dim, DeltaNetOptions options) : base("DeltaNet")
    {
        if (options.Heads < 1 || dim % options.Heads != 0)
            throw new ArgumentException($"DeltaNet: model width {dim} must be a positive multiple of the head count {options.Heads}.", nameof(options));
        heads = options.Heads;
        headDim = dim / options.Heads;
        chunkSize = options.ChunkSize;
        // q, k and v share one projection and one convolution: fewer, larger ops are faster on a CPU.
        qkvProj = nn.Linear(dim, 3 * dim, hasBias: false);
        betaProj = nn.Linear(dim, heads, hasBias: true);
        outProj = nn.Linear(dim, dim, hasBias: false);
        if (options.ConvolutionSize > 0) qkvConv = new ShortConvolution(3 * dim, options.ConvolutionSize);
        headNorm = new RmsNorm(headDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], time = input.shape[1];
        var qkv = qkvProj.forward(input);
        if (qkvConv is not null) qkv = qkvConv.forward(qkv);
        var parts = nn.functional.silu(qkv).chunk(3, dim: -1);
        var (q, k, v) = (SplitHeads(parts[0], batch, time), SplitHeads(parts[1], batch, time), SplitHeads(parts[2], batch, time));
        q = q * q.pow(2).sum([-1], keepdim: true).add(1e-6).rsqrt();
        k = k * k.pow(2).sum([-1], keepdim: true).add(1e-6).rsqrt();
        var beta = betaProj.forward(input).sigmoid().transpose(1, 2); // (batch, heads, time)
        var mixed = headNorm.forward(DeltaRule.Chunked(q, k, v, beta, chunkSize));
        var merged = mixed.transpose(1, 2).reshape(batch, time, heads * headDim);
        return outProj.forward(merged).MoveToOuterDisposeScope();
    }

    private Tensor SplitHeads(Tensor x, long batch, long time) => x.reshape(batch, time, heads, headDim).transpose(1, 2);
}

/// <summary>
/// Causal depthwise 1-D convolution over time on (batch, time, channels), written as a few shifted
/// multiply-adds: libtorch's grouped Conv1d backward is several times slower on the CPU.
/// </summary>
public sealed class ShortConvolution : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight; // (kernel, channels); tap j sees position t - (kernel-1) + j
    private readonly int kernelSize;

    public ShortConvolution(int channels, int kernelSize) : base(nameof(ShortConvolution))
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
        // Pad on the left only, so position t sees t-kernelSize+1 .. t and nothing later.
        var padded = nn.functional.pad(input, [0, 0, kernelSize - 1, 0]);
        var output = padded.narrow(1, 0, time) * weight[0];
        for (int j = 1; j < kernelSize; j++) output = output + padded.narrow(1, j, time) * weight[j];
        return output.MoveToOuterDisposeScope();
    }
}
