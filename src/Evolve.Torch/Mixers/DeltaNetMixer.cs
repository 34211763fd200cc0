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
    private readonly Linear qProj, kProj, vProj, betaProj, outProj;
    private readonly ShortConvolution? qConv, kConv, vConv;
    private readonly RmsNorm headNorm;
    private readonly int heads, headDim, chunkSize;

    public DeltaNetMixer(int dim, DeltaNetOptions options) : base("DeltaNet")
    {
        if (options.Heads < 1 || dim % options.Heads != 0)
            throw new ArgumentException($"DeltaNet: model width {dim} must be a positive multiple of the head count {options.Heads}.", nameof(options));
        heads = options.Heads;
        headDim = dim / options.Heads;
        chunkSize = options.ChunkSize;
        qProj = nn.Linear(dim, dim, hasBias: false);
        kProj = nn.Linear(dim, dim, hasBias: false);
        vProj = nn.Linear(dim, dim, hasBias: false);
        betaProj = nn.Linear(dim, heads, hasBias: true);
        outProj = nn.Linear(dim, dim, hasBias: false);
        if (options.ConvolutionSize > 0)
        {
            qConv = new ShortConvolution(dim, options.ConvolutionSize);
            kConv = new ShortConvolution(dim, options.ConvolutionSize);
            vConv = new ShortConvolution(dim, options.ConvolutionSize);
        }
        headNorm = new RmsNorm(headDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], time = input.shape[1];
        var q = SplitHeads(nn.functional.silu(Convolve(qConv, qProj.forward(input))), batch, time);
        var k = SplitHeads(nn.functional.silu(Convolve(kConv, kProj.forward(input))), batch, time);
        var v = SplitHeads(nn.functional.silu(Convolve(vConv, vProj.forward(input))), batch, time);
        q = q * q.pow(2).sum([-1], keepdim: true).add(1e-6).rsqrt();
        k = k * k.pow(2).sum([-1], keepdim: true).add(1e-6).rsqrt();
        var beta = betaProj.forward(input).sigmoid().transpose(1, 2); // (batch, heads, time)
        var mixed = headNorm.forward(DeltaRule.Chunked(q, k, v, beta, chunkSize));
        var merged = mixed.transpose(1, 2).reshape(batch, time, heads * headDim);
        return outProj.forward(merged).MoveToOuterDisposeScope();
    }

    private static Tensor Convolve(ShortConvolution? convolution, Tensor x) => convolution is null ? x : convolution.forward(x);

    private Tensor SplitHeads(Tensor x, long batch, long time) => x.view(batch, time, heads, headDim).transpose(1, 2);
}

/// <summary>Causal depthwise 1-D convolution over time on (batch, time, channels).</summary>
public sealed class ShortConvolution : nn.Module<Tensor, Tensor>
{
    private readonly Conv1d conv;
    private readonly int kernelSize;

    public ShortConvolution(int channels, int kernelSize) : base(nameof(ShortConvolution))
    {
        this.kernelSize = kernelSize;
        conv = nn.Conv1d(channels, channels, kernelSize, groups: channels, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // Pad on the left only, so position t sees t-kernelSize+1 .. t and nothing later.
        var padded = nn.functional.pad(input.transpose(1, 2), [kernelSize - 1, 0]);
        return conv.forward(padded).transpose(1, 2).MoveToOuterDisposeScope();
    }
}
