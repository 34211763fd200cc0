using System.Globalization;
using System.Text.Json;

namespace Evolve.Torch.Training;

/// <summary>What a checkpoint records besides the tensors.</summary>
/// <param name="RunKey">Identifies the run's settings, so a directory is never resumed by a different run.</param>
public sealed record CheckpointState(int Step, string RunKey, List<LossPoint> LossCurve, double LastLoss);

/// <summary>
/// Checkpoints in one directory, one sub-directory per step ("step-00000100"). Each is written in
/// full under a temporary name, flushed to disk and then renamed, so a crash leaves either the
/// complete checkpoint or none; the newest complete one is what a retried run resumes from.
/// </summary>
public sealed class CheckpointStore
{
    public const string ModelFile = "model.bin";
    public const string OptimizerFile = "optimizer.bin";
    public const string RngFile = "rng.bin";
    public const string StateFile = "state.json";
    private const string Prefix = "step-";
    private const string TempPrefix = ".tmp-";
    private readonly int keep;

    public CheckpointStore(string directory, int keep = 2)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Directory = Path.GetFullPath(directory);
        this.keep = keep;
    }

    public string Directory { get; }

    /// <summary>The newest complete checkpoint, or null when there is none.</summary>
    public (string Path, CheckpointState State)? Latest()
    {
        if (!System.IO.Directory.Exists(Directory)) return null;
        foreach (var path in Completed().OrderByDescending(p => p.Step).Select(p => p.Path))
        {
            var state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(Path.Combine(path, StateFile)));
            if (state != null) return (path, state);
        }
        return null;
    }

    /// <summary>Writes a checkpoint; <paramref name="writeTensors"/> fills the given directory with the tensor files.</summary>
    public string Save(CheckpointState state, Action<string> writeTensors)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string final = Path.Combine(Directory, Prefix + state.Step.ToString("D8", CultureInfo.InvariantCulture));
        if (System.IO.Directory.Exists(final)) return final; // same step, same seed: same content
        string temp = Path.Combine(Directory, $"{TempPrefix}{state.Step:D8}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(temp);
        writeTensors(temp);
        File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state));
        foreach (var file in System.IO.Directory.GetFiles(temp)) FlushToDisk(file);
        System.IO.Directory.Move(temp, final);
        Prune();
        return final;
    }

    private IEnumerable<(string Path, int Step)> Completed() =>
        System.IO.Directory.GetDirectories(Directory, Prefix + "*")
            .Select(p => (Path: p, Ok: int.TryParse(Path.GetFileName(p)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int step), Step: step))
            .Where(p => p.Ok && File.Exists(Path.Combine(p.Path, StateFile)))
            .Select(p => (p.Path, p.Step));

    private void Prune()
    {
        foreach (var (path, _) in Completed().OrderByDescending(p => p.Step).Skip(keep))
            System.IO.Directory.Delete(path, recursive: true);
        foreach (var abandoned in System.IO.Directory.GetDirectories(Directory, TempPrefix + "*"))
            System.IO.Directory.Delete(abandoned, recursive: true);
    }

    private static void FlushToDisk(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }
}
