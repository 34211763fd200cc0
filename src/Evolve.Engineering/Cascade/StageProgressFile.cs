using Evolve.Core.IO;
using System.Text.Json;
using Evolve.Core.Evaluation;

namespace Evolve.Engineering.Cascade;

/// <summary>
/// The latest <see cref="StageProgress"/> of a running stage, kept in <see cref="FileName"/> in the stage's directory
/// (written temp + rename, so a reader in another activity never sees half a report). The evaluator writes it
/// through <see cref="Reporter"/>; the loop reads it with <see cref="TryRead"/> while the stage runs.
/// </summary>
public static class StageProgressFile
{
    public const string FileName = "progress.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The reporter a stage's evaluator gets: each report replaces the file.</summary>
    public static IProgress<StageProgress> Reporter(string stageDirectory, TimeProvider? time = null) =>
        new FileReporter(Path.Combine(Path.GetFullPath(stageDirectory), FileName), time ?? TimeProvider.System);

    /// <summary>The latest report of the stage, or null when it reported nothing (yet) or the file is unreadable.</summary>
    public static StageProgress? TryRead(string stageDirectory)
    {
        var path = Path.Combine(stageDirectory, FileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<StageProgress>(File.ReadAllText(path), Json) : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            // The stage folder is emptied when a retried stage starts; progress is advisory, so a miss is just no news.
            return null;
        }
    }

    private sealed class FileReporter(string path, TimeProvider time) : IProgress<StageProgress>
    {
        private readonly Lock _gate = new();

        public void Report(StageProgress value)
        {
            ArgumentNullException.ThrowIfNull(value);
            // JSON has no NaN or infinities; a loss that is not a number still shows in the summary line.
            var finite = value.Values?.Where(v => double.IsFinite(v.Value)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            var stamped = value with { Values = finite, ReportedAt = time.GetUtcNow() };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(stamped, Json);
            lock (_gate)
            {
                try
                {
                    AtomicFile.WriteAllBytes(path, bytes);
                }
                catch (IOException)
                {
                    // A full disk or a stage folder being emptied must not fail the evaluation over a progress line.
                }
            }
        }
    }
}
