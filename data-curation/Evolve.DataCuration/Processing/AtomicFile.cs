namespace Evolve.DataCuration.Processing;

/// <summary>Writes a file so that readers see either the old content or the complete new one, never a part.</summary>
public static class AtomicFile
{
    public const string TempSuffix = ".tmp";

    public static async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var temp = path + TempSuffix;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: false))
            {
                await write(stream);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static Task WriteAllTextAsync(string path, string content, CancellationToken cancellationToken) =>
        WriteAsync(path, async stream =>
        {
            await using var writer = new StreamWriter(stream, leaveOpen: true);
            await writer.WriteAsync(content.AsMemory(), cancellationToken);
        }, cancellationToken);

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // best effort: a leftover temp file is overwritten by the next attempt
        }
    }

    /// <summary>Identifies the content of an input file cheaply; inputs are never modified, so size and time suffice.</summary>
    public static string Fingerprint(string path)
    {
        var info = new FileInfo(path);
        return FormattableString.Invariant($"{info.Length}:{info.LastWriteTimeUtc.Ticks}");
    }
}
