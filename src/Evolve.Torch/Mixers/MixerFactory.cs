using static TorchSharp.torch;

namespace Evolve.Torch.Mixers;

/// <summary>
/// Builds one token mixer for a model of width <paramref name="modelDim"/>: a module mapping
/// (batch, time, modelDim) to (batch, time, modelDim) causally. Candidates of the
/// linear-attention task are factories of this shape.
/// </summary>
public delegate nn.Module<Tensor, Tensor> MixerFactory(int modelDim);

/// <summary>The reference mixers.</summary>
public static class ReferenceMixers
{
    /// <summary>The DeltaNet baseline the search starts from.</summary>
    public static MixerFactory DeltaNet(DeltaNetOptions? options = null) => dim => new DeltaNetMixer(dim, options ?? new DeltaNetOptions());

    /// <summary>Plain causal softmax attention, quadratic in time; for comparison only.</summary>
    public static MixerFactory SoftmaxAttention(int heads = 4) => dim => new SoftmaxAttentionMixer(dim, heads);
}
