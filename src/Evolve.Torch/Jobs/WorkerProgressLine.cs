using System.Globalization;
using System.Text.RegularExpressions;
using Evolve.Torch.Training;

namespace Evolve.Torch.Jobs;

/// <summary>
/// The training worker's progress line on stdout ("candidate mqar step 120/400 loss 2.3100 tokens_per_s 5400
/// resumed_from 0"): written by the worker, parsed by the evaluator that forwards it to the loop.
/// </summary>
public static partial class WorkerProgressLine
{
    public static string Format(string label, string benchmark, TrainingProgress progress) => string.Create(CultureInfo.InvariantCulture,
        $"{label} {benchmark} step {progress.Step}/{progress.TotalSteps} loss {progress.Loss:F4} tokens_per_s {progress.TokensPerSecond:F0} resumed_from {progress.ResumedFromStep}");

    /// <summary>Reads a line written by <see cref="Format"/>; false for any other line the worker prints.</summary>
    public static bool TryParse(string line, out string benchmark, out TrainingProgress progress)
    {
        benchmark = "";
        progress = null!;
        var match = Pattern().Match(line);
        if (!match.Success) return false;
        benchmark = match.Groups["benchmark"].Value;
        progress = new TrainingProgress(
            int.Parse(match.Groups["step"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["total"].Value, CultureInfo.InvariantCulture),
            double.Parse(match.Groups["loss"].Value, CultureInfo.InvariantCulture),
            double.Parse(match.Groups["tps"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["resumed"].Value, CultureInfo.InvariantCulture));
        return true;
    }

    [GeneratedRegex(@"^\S+ (?<benchmark>\S+) step (?<step>\d+)/(?<total>\d+) loss (?<loss>\S+) tokens_per_s (?<tps>\S+) resumed_from (?<resumed>\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
