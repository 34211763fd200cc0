using System.Diagnostics;
using System.Globalization;

namespace Evolve.Engineering.Sandbox;

/// <summary>A command to run as its own process group (so the whole tree can be killed at once).</summary>
/// <param name="FileName">Executable.</param>
/// <param name="Arguments">Arguments, passed without a shell.</param>
/// <param name="WorkingDirectory">Working directory.</param>
/// <param name="Environment">The complete environment: nothing is inherited from the host, so secrets stay out.</param>
/// <param name="Timeout">Wall-clock limit; the group is SIGKILLed after it.</param>
/// <param name="MemoryLimitBytes">Resident memory of the whole group above which it is SIGKILLed; null for none.</param>
internal sealed record GroupProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan Timeout,
    long? MemoryLimitBytes);

/// <summary>How a process group ended.</summary>
internal sealed record GroupProcessOutcome(
    int ExitCode,
    bool TimedOut,
    bool MemoryExceeded,
    long PeakResidentBytes,
    string StdoutTail,
    string StderrTail,
    TimeSpan Duration);

/// <summary>
/// Starts a command in a new session and process group (via setsid), watches its wall clock and the resident memory
/// of every process in the group, and SIGKILLs the group on either limit. Shared by the candidate runner and the
/// external command evaluators.
/// </summary>
internal sealed class GroupProcess(EngineeringOptions options)
{
    private static readonly Lazy<string?> SetsidPath = new(() => ExecutableLocator.Find("setsid"));

    public async Task<GroupProcessOutcome> RunAsync(GroupProcessSpec spec, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // setsid makes the child a process group leader (pid == pgid) without forking, because a child of .NET is
        // never a group leader; --wait keeps the exit status right even if it did fork.
        if (SetsidPath.Value is { } setsid)
        {
            startInfo.FileName = setsid;
            startInfo.ArgumentList.Add("--wait");
            startInfo.ArgumentList.Add(spec.FileName);
        }
        else
        {
            startInfo.FileName = spec.FileName;
        }
        foreach (var argument in spec.Arguments) startInfo.ArgumentList.Add(argument);
        startInfo.Environment.Clear();
        foreach (var (key, value) in spec.Environment) startInfo.Environment[key] = value;

        var stdout = new StreamTail(options.TailBytes);
        var stderr = new StreamTail(options.TailBytes);
        var clock = Stopwatch.StartNew();
        using var process = await SpawnThread.StartAsync(startInfo).ConfigureAwait(false);
        process.StandardInput.Close();
        var drains = Task.WhenAll(stdout.DrainAsync(process.StandardOutput.BaseStream), stderr.DrainAsync(process.StandardError.BaseStream));

        var groupId = process.Id;
        var timedOut = false;
        var memoryExceeded = false;
        long peak = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(spec.Timeout);
        var exited = process.WaitForExitAsync(CancellationToken.None);
        try
        {
            while (!exited.IsCompleted)
            {
                var delay = Task.Delay(options.MemoryPollInterval, stop.Token);
                await Task.WhenAny(exited, delay).ConfigureAwait(false);
                if (exited.IsCompleted) break;
                if (delay.IsCanceled)
                {
                    timedOut = !cancellationToken.IsCancellationRequested;
                    break;
                }
                if (spec.MemoryLimitBytes is { } limit)
                {
                    var resident = ResidentBytesOfGroup(groupId);
                    peak = Math.Max(peak, resident);
                    if (resident > limit)
                    {
                        memoryExceeded = true;
                        break;
                    }
                }
            }
        }
        finally
        {
            if (!exited.IsCompleted) KillGroup(process, groupId);
            await exited.ConfigureAwait(false);
        }
        var duration = clock.Elapsed;
        // A grandchild that escaped the group could hold the pipes open forever: do not wait on it for long.
        await Task.WhenAny(drains, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new GroupProcessOutcome(process.ExitCode, timedOut, memoryExceeded, peak, stdout.Text(), stderr.Text(), duration);
    }

    private static void KillGroup(Process process, int groupId)
    {
        if (SetsidPath.Value is not null) NativeMethods.Kill(-groupId, NativeMethods.SigKill);
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Sum of resident memory of the processes whose process group is <paramref name="groupId"/>.</summary>
    internal static long ResidentBytesOfGroup(int groupId)
    {
        long total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0])) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after the command name, which may itself contain spaces and parentheses.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length < 22 || fields[2] != groupId.ToString(CultureInfo.InvariantCulture)) continue;
                var residentPages = long.Parse(fields[21], CultureInfo.InvariantCulture);
                total += residentPages * Environment.SystemPageSize;
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return total;
    }
}

internal static class ExecutableLocator
{
    /// <summary>Absolute path of an executable on PATH (or the path itself when it contains a slash), or null.</summary>
    public static string? Find(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? Path.GetFullPath(name) : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/bin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
