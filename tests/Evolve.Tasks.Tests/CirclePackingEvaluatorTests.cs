using System.Globalization;
using Evolve.Core.Evaluation;
using Evolve.Tasks.Evaluators;

namespace Evolve.Tasks.Tests;

public sealed class CirclePackingEvaluatorTests
{
    // A 5 x 5 grid of radius 0.09 with a small 26th circle in the gap between the first four.
    private static List<double[]> GridPacking(double extraRadius = 0.005)
    {
        var circles = new List<double[]>();
        for (var i = 0; i < 5; i++)
        {
            for (var j = 0; j < 5; j++) circles.Add([0.1 + 0.2 * i, 0.1 + 0.2 * j, 0.09]);
        }
        circles.Add([0.2, 0.2, extraRadius]);
        return circles;
    }

    private static string Json(IEnumerable<double[]> circles) =>
        "[" + string.Join(",", circles.Select(c => "[" + string.Join(",", c.Select(v =>
            double.IsNaN(v) ? "\"NaN\"" : v.ToString("R", CultureInfo.InvariantCulture))) + "]")) + "]";

    [Fact]
    public void Valid_packing_scores_its_true_sum()
    {
        var verdict = CirclePackingEvaluator.Evaluate(Json(GridPacking()));

        Assert.True(verdict.IsWellFormed);
        Assert.Equal(1, verdict.Metrics["validity"]);
        Assert.Equal(25 * 0.09 + 0.005, verdict.Metrics["sum_radii"], 12);
        Assert.Equal(verdict.Metrics["sum_radii"], verdict.Metrics["sum_radii_strict"]);
        Assert.Equal((25 * 0.09 + 0.005) / 2.635, verdict.Metrics["target_ratio"], 12);
        Assert.Equal(verdict.Metrics["target_ratio"], verdict.Metrics["combined_score"]);
        Assert.StartsWith("valid packing", verdict.Detail);
    }

    [Fact]
    public void Overlapping_packing_is_invalid_and_scores_zero()
    {
        var verdict = CirclePackingEvaluator.Evaluate(Json(GridPacking(extraRadius: 0.06)));

        Assert.True(verdict.IsWellFormed);
        Assert.Equal(0, verdict.Metrics["validity"]);
        Assert.Equal(0, verdict.Metrics["sum_radii"]);
        Assert.Equal(0, verdict.Metrics["sum_radii_strict"]);
        Assert.Equal(0, verdict.Metrics["combined_score"]);
        Assert.Contains("circles 0 and 25 overlap", verdict.Detail);
    }

    [Fact]
    public void Circle_leaving_the_square_is_invalid()
    {
        var circles = GridPacking();
        circles[0] = [0.05, 0.1, 0.09];
        var verdict = CirclePackingEvaluator.Evaluate(Json(circles));

        Assert.Equal(0, verdict.Metrics["validity"]);
        Assert.Equal(0, verdict.Metrics["sum_radii"]);
        Assert.Contains("circle 0", verdict.Detail);
        Assert.Contains("leaves the unit square", verdict.Detail);
    }

    [Fact]
    public void Negative_radius_is_invalid()
    {
        var circles = GridPacking();
        circles[25] = [0.2, 0.2, -0.01];
        var verdict = CirclePackingEvaluator.Evaluate(Json(circles));
        Assert.Equal(0, verdict.Metrics["validity"]);
        Assert.Contains("negative radius", verdict.Detail);
    }

    [Fact]
    public void Strict_and_tolerant_scores_differ_for_an_overlap_below_the_tolerance()
    {
        // Circle 25 touches circle 0 exactly at radius sqrt(0.02) - 0.09; add 5e-7 of overlap.
        var touching = Math.Sqrt(0.02) - 0.09;
        var verdict = CirclePackingEvaluator.Evaluate(Json(GridPacking(extraRadius: touching + 5e-7)));

        Assert.Equal(1, verdict.Metrics["validity"]);
        Assert.Equal(25 * 0.09 + touching + 5e-7, verdict.Metrics["sum_radii"], 12);
        Assert.Equal(0, verdict.Metrics["sum_radii_strict"]);
        Assert.Contains("not strictly", verdict.Detail);

        // The same overlap at twice the tolerance is invalid both ways.
        var beyond = CirclePackingEvaluator.Evaluate(Json(GridPacking(extraRadius: touching + 2e-6)));
        Assert.Equal(0, beyond.Metrics["validity"]);
        Assert.Equal(0, beyond.Metrics["sum_radii"]);
    }

    [Fact]
    public void Strict_and_tolerant_differ_for_a_circle_a_hair_outside_the_square()
    {
        var circles = GridPacking();
        circles[24] = [0.9, 0.9, 0.1 + 4e-7];
        var verdict = CirclePackingEvaluator.Evaluate(Json(circles));
        Assert.Equal(1, verdict.Metrics["validity"]);
        Assert.Equal(0, verdict.Metrics["sum_radii_strict"]);
        Assert.True(verdict.Metrics["sum_radii"] > 2.2);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Non_finite_values_are_malformed(string value)
    {
        var json = Json(GridPacking()).Replace("0.005", $"\"{value}\"");
        var verdict = CirclePackingEvaluator.Evaluate(json);

        Assert.False(verdict.IsWellFormed);
        Assert.Contains("circle 25 has a non-finite or non-numeric r", verdict.Error);
        Assert.Equal(0, verdict.Metrics["combined_score"]);
    }

    [Theory]
    [InlineData(25)]
    [InlineData(27)]
    public void Wrong_number_of_circles_is_malformed(int count)
    {
        var circles = GridPacking().Concat(GridPacking()).Take(count);
        var verdict = CirclePackingEvaluator.Evaluate(Json(circles));
        Assert.False(verdict.IsWellFormed);
        Assert.Equal($"expected 26 circles, got {count}", verdict.Error);
    }

    [Theory]
    [InlineData("\"hello\"", "expected an array of 26 circles")]
    [InlineData("null", "expected an array of 26 circles [x, y, r], got null")]
    [InlineData("{\"sum_radii\": 3.0}", "got an object")]
    [InlineData("totally not json", "the output is not JSON")]
    public void Garbage_is_malformed_with_a_clear_error(string json, string expected)
    {
        var verdict = CirclePackingEvaluator.Evaluate(json);
        Assert.False(verdict.IsWellFormed);
        Assert.Contains(expected, verdict.Error);
    }

    [Fact]
    public void Circle_with_two_numbers_is_malformed()
    {
        var circles = GridPacking();
        circles[3] = [0.5, 0.5];
        Assert.Equal("circle 3 must be [x, y, r] (3 numbers), got an array of 2", CirclePackingEvaluator.Evaluate(Json(circles)).Error);
    }

    [Fact]
    public async Task Validity_stage_reports_only_validity_and_the_score_stage_everything()
    {
        var evaluator = BuiltInEvaluators.Create("circle-packing");
        var output = new CandidateOutput(Json(GridPacking()), "unused.json");

        var quick = await evaluator.EvaluateStageAsync(new StageEvaluationContext("validity", 0, output, "c.cs", "w", TimeSpan.FromSeconds(1)), default);
        var full = await evaluator.EvaluateStageAsync(new StageEvaluationContext("score", 1, output, "c.cs", "w", TimeSpan.FromSeconds(1)), default);
        var none = await evaluator.EvaluateStageAsync(new StageEvaluationContext("score", 1, null, "c.cs", "w", TimeSpan.FromSeconds(1)), default);

        Assert.Equal(["validity"], quick.Metrics.Keys);
        Assert.Equal(["combined_score", "sum_radii", "sum_radii_strict", "target_ratio", "validity"], full.Metrics.Keys.Order());
        Assert.False(none.IsWellFormed);
    }
}
