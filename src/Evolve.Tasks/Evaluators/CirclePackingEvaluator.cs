using System.Globalization;
using System.Text.Json;
using Evolve.Core.Evaluation;

namespace Evolve.Tasks.Evaluators;

/// <summary>
/// Trusted judge of the circle packing task: N circles (x, y, r) in the unit square, maximise the sum of radii.
/// Validity is checked twice, strictly and with <see cref="Tolerance"/>; the score uses the tolerant check.
/// </summary>
public sealed class CirclePackingEvaluator : ICandidateEvaluator
{
    public const string EvaluatorName = "circle-packing";
    public const int CircleCount = 26;
    public const double Tolerance = 1e-6;
    /// <summary>Reference value for <c>target_ratio</c> (best known is about 2.6359831).</summary>
    public const double Target = 2.635;
    /// <summary>The cheap first stage: only validity is reported.</summary>
    public const string ValidityStage = "validity";

    public string Name => EvaluatorName;

    public Task<EvaluatorVerdict> EvaluateStageAsync(StageEvaluationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Output is null)
        {
            return Task.FromResult(EvaluatorVerdict.Malformed("the candidate produced no output to judge", ZeroMetrics()));
        }
        var verdict = Evaluate(context.Output.Json);
        if (context.Stage == ValidityStage && verdict.IsWellFormed)
        {
            var quick = new Dictionary<string, double> { ["validity"] = verdict.Metrics["validity"] };
            verdict = verdict with { Metrics = quick };
        }
        return Task.FromResult(verdict);
    }

    /// <summary>Judges the JSON of the candidate's return value: an array of <see cref="CircleCount"/> [x, y, r] arrays.</summary>
    public static EvaluatorVerdict Evaluate(string json)
    {
        if (!TryParse(json, out var circles, out var error)) return EvaluatorVerdict.Malformed(error, ZeroMetrics());
        return Score(circles);
    }

    /// <summary>Scores well-formed circles (finite, right count).</summary>
    public static EvaluatorVerdict Score(IReadOnlyList<(double X, double Y, double R)> circles)
    {
        var strictViolation = FirstViolation(circles, 0);
        var tolerantViolation = FirstViolation(circles, Tolerance);
        var sum = circles.Sum(c => c.R);
        var tolerantSum = tolerantViolation is null ? sum : 0;
        var metrics = new Dictionary<string, double>
        {
            ["validity"] = tolerantViolation is null ? 1 : 0,
            ["sum_radii"] = tolerantSum,
            ["sum_radii_strict"] = strictViolation is null ? sum : 0,
            ["target_ratio"] = tolerantSum / Target,
            ["combined_score"] = tolerantSum / Target,
        };
        string? detail = (strictViolation, tolerantViolation) switch
        {
            (null, _) => $"valid packing, sum of radii {sum.ToString("R", CultureInfo.InvariantCulture)}",
            (not null, null) => $"valid within tolerance {Tolerance:G} but not strictly: {strictViolation}",
            _ => $"invalid packing: {tolerantViolation}",
        };
        return EvaluatorVerdict.WellFormed(metrics, detail);
    }

    private static Dictionary<string, double> ZeroMetrics() => new()
    {
        ["validity"] = 0, ["sum_radii"] = 0, ["sum_radii_strict"] = 0, ["target_ratio"] = 0, ["combined_score"] = 0,
    };

    /// <summary>The first broken constraint with <paramref name="slack"/> allowed, or null when all hold.</summary>
    private static string? FirstViolation(IReadOnlyList<(double X, double Y, double R)> c, double slack)
    {
        for (var i = 0; i < c.Count; i++)
        {
            var (x, y, r) = c[i];
            if (r < -slack) return $"circle {i} has negative radius {F(r)}";
            if (x - r < -slack || x + r > 1 + slack || y - r < -slack || y + r > 1 + slack)
            {
                return $"circle {i} at ({F(x)}, {F(y)}) with radius {F(r)} leaves the unit square";
            }
        }
        for (var i = 0; i < c.Count; i++)
        {
            for (var j = i + 1; j < c.Count; j++)
            {
                var dx = c[i].X - c[j].X;
                var dy = c[i].Y - c[j].Y;
                var distance = Math.Sqrt(dx * dx + dy * dy);
                var overlap = c[i].R + c[j].R - distance;
                if (overlap > slack) return $"circles {i} and {j} overlap by {F(overlap)}";
            }
        }
        return null;
    }

    private static bool TryParse(string json, out List<(double X, double Y, double R)> circles, out string error)
    {
        circles = [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            error = $"the output is not JSON: {e.Message}";
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                error = $"expected an array of {CircleCount} circles [x, y, r], got {Describe(root)}";
                return false;
            }
            if (root.GetArrayLength() != CircleCount)
            {
                error = $"expected {CircleCount} circles, got {root.GetArrayLength()}";
                return false;
            }
            var index = 0;
            foreach (var item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() != 3)
                {
                    error = $"circle {index} must be [x, y, r] (3 numbers), got {Describe(item)}";
                    return false;
                }
                var values = new double[3];
                var k = 0;
                foreach (var v in item.EnumerateArray())
                {
                    if (!TryFinite(v, out values[k]))
                    {
                        error = $"circle {index} has a non-finite or non-numeric {"xyr"[k]}: {Describe(v)}";
                        return false;
                    }
                    k++;
                }
                circles.Add((values[0], values[1], values[2]));
                index++;
            }
        }
        error = "";
        return true;
    }

    private static bool TryFinite(JsonElement element, out double value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out value) && double.IsFinite(value);
    }

    private static string Describe(JsonElement element)
    {
        var text = element.ValueKind switch
        {
            JsonValueKind.Array => $"an array of {element.GetArrayLength()}",
            JsonValueKind.Object => "an object",
            JsonValueKind.Null => "null",
            _ => element.GetRawText(),
        };
        return text.Length > 60 ? text[..60] + "…" : text;
    }

    private static string F(double v) => v.ToString("G9", CultureInfo.InvariantCulture);
}
