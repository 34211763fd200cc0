using Evolve.Torch.Mixers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Evolve.Torch.Model;

/// <param name="VocabSize">Tokens the embedding and head cover.</param>
/// <param name="Dim">Model width.</param>
/// <param name="Layers">Blocks of (mixer, MLP).</param>
/// <param name="MlpRatio">Hidden width of the MLP as a multiple of <paramref name="Dim"/>.</param>
public sealed record LanguageModelOptions(int VocabSize, int Dim = 192, int Layers = 4, int MlpRatio = 4)
{
    /// <summary>The exploration-stage size on CPU (about 1.8M parameters at a small vocabulary).</summary>
    public static LanguageModelOptions Exploration(int vocabSize) => new(vocabSize, Dim: 192, Layers: 4, MlpRatio: 4);

    public void Validate()
    {
        if (VocabSize < 2) throw new ArgumentException($"VocabSize must be at least 2 (got {VocabSize}).");
        if (Dim < 1 || Layers < 1 || MlpRatio < 1)
            throw new ArgumentException($"Dim, Layers and MlpRatio must be positive (got {Dim}, {Layers}, {MlpRatio}).");
    }
}

/// <summary>
/// The trusted harness around a candidate mixer: token embedding, pre-norm residual blocks of
/// (RMSNorm → mixer) and (RMSNorm → MLP), a final RMSNorm and a linear head to next-token logits.
/// </summary>
public sealed class LanguageModel : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly ModuleList<Block> blocks;
    private readonly RmsNorm finalNorm;
    private readonly Linear head;

    public LanguageModel(LanguageModelOptions options, MixerFactory mixer) : base(nameof(LanguageModel))
    {
        options.Validate();
        Options = options;
        embedding = nn.Embedding(options.VocabSize, options.Dim);
        nn.init.normal_(embedding.weight!, std: 0.02);
        blocks = nn.ModuleList(Enumerable.Range(0, options.Layers).Select(_ => new Block(options, mixer)).ToArray());
        finalNorm = new RmsNorm(options.Dim);
        head = nn.Linear(options.Dim, options.VocabSize, hasBias: false);
        RegisterComponents();
    }

    public LanguageModelOptions Options { get; }

    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Tokens (batch, time) of type long → logits (batch, time, vocab).</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var x = embedding.forward(tokens);
        foreach (var block in blocks) x = block.forward(x);
        return head.forward(finalNorm.forward(x)).MoveToOuterDisposeScope();
    }

    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly RmsNorm mixerNorm, mlpNorm;
        private readonly nn.Module<Tensor, Tensor> mixer;
        private readonly Linear up, down;

        public Block(LanguageModelOptions options, MixerFactory mixerFactory) : base("Block")
        {
            mixerNorm = new RmsNorm(options.Dim);
            mixer = mixerFactory(options.Dim);
            mlpNorm = new RmsNorm(options.Dim);
            up = nn.Linear(options.Dim, options.Dim * options.MlpRatio);
            down = nn.Linear(options.Dim * options.MlpRatio, options.Dim);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            x = x + mixer.forward(mixerNorm.forward(x));
            x = x + down.forward(nn.functional.gelu(up.forward(mlpNorm.forward(x))));
            return x.MoveToOuterDisposeScope();
        }
    }
}
