using System.Diagnostics;
using Evolve.Torch.Training;
using Evolve.Torch.TrainProbe;
using Xunit.Abstractions;

namespace Evolve.Torch.Tests;

public class ProcessKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("evolve-torch-kill-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task A_training_process_killed_after_a_checkpoint_resumes_from_it_and_ends_like_an_uninterrupted_run()
    {
        string killed = Path.Combine(directory, "killed");
        var store = new CheckpointStore(killed);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Evolve.Torch.TrainProbe.dll"), killed, "100" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (lines) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (lines) lines.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Kill it (SIGKILL: no chance to clean up) once the step-20 checkpoint is on disk.
        var deadline = Stopwatch.StartNew();
        while (LatestStep(store) < 20)
        {
            Assert.False(process.HasExited, "the training process ended before its second checkpoint: " + string.Join('\n', lines));
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(3), "no checkpoint within 3 minutes");
            await Task.Delay(50);
        }
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        int checkpoint = LatestStep(store);
        lock (lines) output.WriteLine($"killed after: {lines.LastOrDefault(l => l.StartsWith("step", StringComparison.Ordinal))}; last checkpoint {checkpoint}");
        Assert.InRange(checkpoint, 20, ResumeScenario.Steps - 1);

        var resumed = await new Trainer().TrainAsync(ResumeScenario.Run(killed));
        var uninterrupted = await new Trainer().TrainAsync(ResumeScenario.Run(Path.Combine(directory, "whole")));

        Assert.Equal(checkpoint, resumed.ResumedFromStep);
        Assert.Equal(uninterrupted.LossCurve, resumed.LossCurve);
        Assert.Equal(uninterrupted.EvaluationLoss, resumed.EvaluationLoss);
        Assert.Equal(uninterrupted.EvaluationAccuracy, resumed.EvaluationAccuracy);
    }

    private static int LatestStep(CheckpointStore store)
    {
        try
        {
            return store.Latest()?.State.Step ?? 0;
        }
        catch (IOException)
        {
            return 0; // a checkpoint pruned while being read: look again
        }
    }
}
