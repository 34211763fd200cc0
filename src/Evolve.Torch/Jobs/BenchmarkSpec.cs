using System.Globalization;
using Evolve.Torch.Tasks;

namespace Evolve.Torch.Jobs;

/// <summary>
/// One generated benchmark a stage trains on, as plain settings (so it travels to the worker as JSON).
/// </summary>
/// <param name="Kind"><c>mqar</c>, <c>selective_copy</c>, <c>induction</c> or <c>lm</c>.</param>
/// <param name="SequenceLength">Tokens per example.</param>
/// <param name="Size">mqar: key–value pairs; selective_copy: content tokens; lm: corpus characters (0 = default); unused by induction.</param>
/// <param name="Vocab">mqar: key and value vocabulary each; selective_copy: content vocabulary; induction: vocabulary; 0 = the task's default.</param>
public sealed record BenchmarkSpec(string Kind, int SequenceLength, int Size = 0, int Vocab = 0)
{
    public static readonly IReadOnlyList<string> Kinds = ["mqar", "selective_copy", "induction", "lm"];

    /// <summary>Metric-safe name, e.g. <c>mqar_kv8_t128</c>.</summary>
    public string Name => Kind switch
    {
        "mqar" => Invariant($"mqar_kv{Size}_t{SequenceLength}"),
        "selective_copy" => Invariant($"selective_copy_n{Size}_t{SequenceLength}"),
        _ => Invariant($"{Kind}_t{SequenceLength}"),
    };

    /// <summary>Builds the generated task; bad settings throw with what to change.</summary>
    public ISequenceTask Create() => Kind switch
    {
        "mqar" => Vocab > 0 ? new MqarTask(Size, SequenceLength, Vocab, Vocab) : new MqarTask(Size, SequenceLength),
        "selective_copy" => Vocab > 0 ? new SelectiveCopyTask(Size, SequenceLength, Vocab) : new SelectiveCopyTask(Size, SequenceLength),
        "induction" => Vocab > 0 ? new InductionHeadsTask(SequenceLength, Vocab) : new InductionHeadsTask(SequenceLength),
        "lm" => Size > 0 ? new TextCorpusTask(SequenceLength, Size) : new TextCorpusTask(SequenceLength),
        _ => throw new ArgumentException($"Unknown benchmark kind '{Kind}'; use one of {string.Join(", ", Kinds)}."),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
