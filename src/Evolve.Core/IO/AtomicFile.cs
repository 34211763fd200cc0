namespace Evolve.Core.IO;

/// <summary>
/// Writes a file so that readers (and a process restarted after a crash) only ever see the old or the complete new
/// version: the content goes to a uniquely named temp file beside the target, is flushed to disk, and is renamed over
/// the target, an atomic replace on one file system. Every durable file Evolve writes goes through here.
/// </summary>
public static class AtomicFile
{
    /// <summary>Every temp file ends with this, so leftovers of a crash can be found and deleted.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>
    /// A fresh temp path beside <paramref name="path"/> for writers that stream into a file themselves; finish with
    /// <see cref="Commit"/>. Unique, so two writers of one target never share (and corrupt) a temp file.
    /// </summary>
    public static string TempPathFor(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"'{full}' is a folder; give a file path to write.");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return $"{full}.{Guid.NewGuid():N}{TempSuffix}";
    }

    /// <summary>
    /// Deletes the temp files a crashed writer of <paramref name="path"/> left behind. Call it only where no other
    /// writer of the same target can be running (e.g. the one activity that owns an output shard).
    /// </summary>
    public static void DeleteLeftovers(string path)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) return;
        foreach (var temp in Directory.EnumerateFiles(folder, Path.GetFileName(full) + ".*" + TempSuffix)) TryDelete(temp);
    }

    /// <summary>Flushes a finished temp file to disk and renames it over <paramref name="path"/>.</summary>
    public static void Commit(string tempPath, string path)
    {
        using (var stream = new FileStream(tempPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            stream.Flush(flushToDisk: true);
        }
        File.Move(tempPath, Path.GetFullPath(path), overwrite: true);
    }

    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temp = TempPathFor(path);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, Path.GetFullPath(path), overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, Path.GetFullPath(path), overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8.GetBytes(text));

    public static Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), cancellationToken);

    public static Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken) =>
        WriteAllBytesAsync(path, Utf8.GetBytes(text), cancellationToken);

    /// <summary>Deletes a file if it can; for temp files and outputs nothing vouches for.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temp file is harmless: its name is never reused, and crash recovery sweeps *.tmp.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static readonly System.Text.UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
