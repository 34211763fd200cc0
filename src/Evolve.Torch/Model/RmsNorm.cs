using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Evolve.Torch.Model;

/// <summary>Root-mean-square normalisation over the last dimension with a learned gain.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double eps;

    public RmsNorm(long dim, double eps = 1e-6) : base(nameof(RmsNorm))
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
