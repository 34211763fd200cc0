using Evolve.Core;
using SkiaSharp;
using Evolve.Core.IO;

namespace Evolve.Reporting.Tests;

public sealed class ScorePlotTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task The_campaign_plot_is_a_decodable_png_in_the_plots_folder()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();

        var path = await CampaignPlots.WriteScorePlotAsync(storage);

        Assert.Equal(Path.Combine(storage.Directory.PlotsDirectory, "score.png"), path);
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length > 1000, $"a {bytes.Length}-byte PNG is too small to hold a chart");
        Assert.Equal(PngSignature, bytes[..8]);
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal((ScorePlot.DefaultWidth, ScorePlot.DefaultHeight), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Failed_rounds_and_the_best_so_far_line_are_drawn_in_their_own_colours()
    {
        IReadOnlyList<BestSoFarPoint> withFailures = [new(0, 1.0, 1.0), new(1, null, 1.0), new(2, 1.5, 1.5), new(3, null, 1.5), new(4, 1.2, 1.5)];
        IReadOnlyList<BestSoFarPoint> allOk = [new(0, 1.0, 1.0), new(1, 1.1, 1.1), new(2, 1.5, 1.5), new(3, 1.4, 1.5), new(4, 1.2, 1.5)];

        var failedPixels = CountNear(ScorePlot.RenderPng(withFailures, "with failures"), new SKColor(220, 20, 60));
        var noFailedPixels = CountNear(ScorePlot.RenderPng(allOk, "all ok"), new SKColor(220, 20, 60));
        var bestLinePixels = CountNear(ScorePlot.RenderPng(allOk, "all ok"), new SKColor(255, 140, 0));

        Assert.True(failedPixels > 20, $"expected crimson failure markers, found {failedPixels} crimson pixels");
        Assert.True(noFailedPixels < failedPixels / 4, $"a plot without failures has {noFailedPixels} crimson pixels");
        Assert.True(bestLinePixels > 100, $"expected an orange best-so-far line, found {bestLinePixels} orange pixels");
    }

    [Fact]
    public async Task A_second_write_replaces_the_plot_and_leaves_no_temp_files()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        var path = Path.Combine(campaign.Parent, "out", "score.png");

        await ScorePlot.WritePngAsync([new(0, 1.0, 1.0)], path, "one round");
        var first = await File.ReadAllBytesAsync(path);
        await ScorePlot.WritePngAsync(SampleCampaign.Tree().Select(n => new BestSoFarPoint(n.Round, n.Score, 1.7)).ToList(), path, "seven rounds");
        var second = await File.ReadAllBytesAsync(path);

        Assert.NotEqual(first, second);
        Assert.Equal(PngSignature, second[..8]);
        Assert.NotNull(SKBitmap.Decode(second));
        Assert.Equal(["score.png"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_write_that_fails_midway_keeps_the_previous_file_whole()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        var path = Path.Combine(campaign.Parent, "out", "score.png");
        await ScorePlot.WritePngAsync([new(0, 1.0, 1.0)], path, "good");
        var good = await File.ReadAllBytesAsync(path);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[4096], ct);
            throw new InvalidOperationException("renderer crashed");
        }, CancellationToken.None));

        Assert.Equal("renderer crashed", failure.Message);
        Assert.Equal(good, await File.ReadAllBytesAsync(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void A_campaign_whose_every_round_failed_still_plots()
    {
        var png = ScorePlot.RenderPng([new(0, null, null), new(1, null, null), new(2, double.NaN, null)], "all failed");

        Assert.Equal(PngSignature, png[..8]);
        Assert.True(CountNear(png, new SKColor(220, 20, 60)) > 20, "the failed rounds must still be drawn");
    }

    [Fact]
    public async Task The_end_of_run_report_writes_plot_and_lineage_and_summarises()
    {
        using var campaign = await SampleCampaign.CreateAsync();
        using var storage = await campaign.OpenAsync();

        var report = await CampaignReport.WriteAsync(storage, "circle-packing");

        Assert.True(new FileInfo(report.ScorePlotPath).Length > 1000);
        Assert.Contains("id=\"n00006\"", await File.ReadAllTextAsync(report.LineagePagePath));
        Assert.Equal("circle-packing", report.Summary.Location.Task);
        Assert.Equal("n00006", report.Summary.Best!.Id);
    }

    [Fact]
    public void Nothing_to_plot_is_refused_with_a_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => ScorePlot.RenderPng([], "empty"));
        Assert.Contains("no rounds to plot", error.Message);
    }

    private static int CountNear(byte[] png, SKColor color)
    {
        using var bitmap = SKBitmap.Decode(png);
        var count = 0;
        foreach (var pixel in bitmap.Pixels)
        {
            if (Math.Abs(pixel.Red - color.Red) < 25 && Math.Abs(pixel.Green - color.Green) < 25 && Math.Abs(pixel.Blue - color.Blue) < 25) count++;
        }
        return count;
    }
}
