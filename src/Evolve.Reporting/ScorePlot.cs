using Evolve.Core;
using ScottPlot;
using Evolve.Core.IO;

namespace Evolve.Reporting;

/// <summary>
/// The score-over-rounds chart of a campaign: every scored node as a dot, rounds without a score (failed candidates)
/// as red crosses along the bottom, and the best score so far as a step line.
/// </summary>
public static class ScorePlot
{
    public const int DefaultWidth = 1000;
    public const int DefaultHeight = 560;

    /// <summary>Renders the chart and writes it to <paramref name="path"/> (temp file, then rename).</summary>
    public static Task WritePngAsync(IReadOnlyList<BestSoFarPoint> points, string path, string title,
        int width = DefaultWidth, int height = DefaultHeight, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAllBytesAsync(path, RenderPng(points, title, width, height), cancellationToken);

    public static byte[] RenderPng(IReadOnlyList<BestSoFarPoint> points, string title, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
            throw new ArgumentException("There are no rounds to plot; the campaign has not committed any node yet.", nameof(points));
        if (width < 100 || height < 100)
            throw new ArgumentOutOfRangeException(nameof(width), $"A {width}x{height} plot is too small to read; use at least 100x100 pixels.");

        var plot = new Plot();
        // SkiaSharp's NoDependencies build cannot resolve generic families ("sans-serif") without fontconfig and lands on
        // a serif face; Debian's fonts-dejavu-core is the usual sans. A missing family falls back to the default face.
        plot.Font.Set("DejaVu Sans");
        var scored = points.Where(p => p.Score is { } s && double.IsFinite(s)).ToList();
        var failed = points.Where(p => p.Score is not { } s || !double.IsFinite(s)).ToList();

        if (scored.Count > 0)
        {
            var dots = plot.Add.ScatterPoints(scored.Select(p => (double)p.Round).ToArray(), scored.Select(p => p.Score!.Value).ToArray());
            dots.MarkerShape = MarkerShape.FilledCircle;
            dots.MarkerSize = 6;
            dots.Color = Colors.SteelBlue.WithAlpha(0.75);
            dots.LegendText = $"node score ({scored.Count})";

            // The best-so-far line starts at the first round that had a score.
            var best = points.Where(p => p.BestScore is { } b && double.IsFinite(b)).ToList();
            var line = plot.Add.Scatter(best.Select(p => (double)p.Round).ToArray(), best.Select(p => p.BestScore!.Value).ToArray());
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LineWidth = 2.5f;
            line.Color = Colors.DarkOrange;
            line.LegendText = $"best so far ({ReportFormat.Score(best[^1].BestScore)})";
        }

        if (failed.Count > 0)
        {
            // Failed rounds have no score: draw them just below the lowest score so their timing stays visible.
            var low = scored.Count == 0 ? 0 : scored.Min(p => p.Score!.Value);
            var high = scored.Count == 0 ? 0 : scored.Max(p => p.Score!.Value);
            var floor = low - Math.Max(0.05 * (high - low), 0.01 * Math.Max(Math.Abs(low), 1));
            var crosses = plot.Add.ScatterPoints(failed.Select(p => (double)p.Round).ToArray(), Enumerable.Repeat(floor, failed.Count).ToArray());
            crosses.MarkerShape = MarkerShape.Eks;
            crosses.MarkerSize = 10;
            crosses.MarkerLineWidth = 2;
            crosses.Color = Colors.Crimson;
            crosses.LegendText = $"failed, no score ({failed.Count})";
        }

        plot.Title(title);
        plot.XLabel("round");
        plot.YLabel("score");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
