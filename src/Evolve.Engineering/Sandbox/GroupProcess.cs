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

    /// <summary>Starts the command, waits for it within its limits, and returns how it ended.</summary>
    public async Task<GroupProcessOutcome> RunAsync(GroupProcessSpec spec, CancellationToken cancellationToken)
    {
        using var group = await StartAsync(spec, keepInputOpen: false).ConfigureAwait(false);
        return await WaitAsync(group, spec.Timeout, spec.MemoryLimitBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the command as its own process group and begins draining its output. With
    /// <paramref name="keepInputOpen"/> the caller may write to its standard input (a pre-started runner waits there).
    /// </summary>
    public async Task<StartedGroup> StartAsync(GroupProcessSpec spec, bool keepInputOpen)
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

        var process = await SpawnThread.StartAsync(startInfo).ConfigureAwait(false);
        if (!keepInputOpen) process.StandardInput.Close();
        return new StartedGroup(process, options.TailBytes);
    }

    /// <summary>
    /// Waits for a started group to end, SIGKILLing the whole group past <paramref name="timeout"/> (counted from
    /// now) or when its resident memory exceeds <paramref name="memoryLimitBytes"/>.
    /// </summary>
    public async Task<GroupProcessOutcome> WaitAsync(StartedGroup group, TimeSpan timeout, long? memoryLimitBytes, CancellationToken cancellationToken)
    {
        var process = group.Process;
        var clock = Stopwatch.StartNew();
        var timedOut = false;
        var memoryExceeded = false;
        long peak = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(timeout);
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
                if (memoryLimitBytes is { } limit)
                {
                    var resident = ResidentBytesOfGroup(group.GroupId);
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
            if (!exited.IsCompleted) group.Kill();
            await exited.ConfigureAwait(false);
        }
        var duration = clock.Elapsed;
        // A grandchild that escaped the group could hold the pipes open forever: do not wait on it for long.
        await Task.WhenAny(group.Drains, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new GroupProcessOutcome(process.ExitCode, timedOut, memoryExceeded, peak, group.Stdout.Text(), group.Stderr.Text(), duration);
    }

    internal static bool UsesProcessGroups => SetsidPath.Value is not null;

    internal static void KillGroup(Process process, int groupId)
    {
        if (UsesProcessGroups) NativeMethods.Kill(-groupId, NativeMethods.SigKill);
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

/// <summary>A running process group with its output being drained.</summary>
internal sealed class StartedGroup : IDisposable
{
    public StartedGroup(Process process, int tailBytes)
    {
        Process = process;
        GroupId = process.Id;
        Stdout = new StreamTail(tailBytes);
        Stderr = new StreamTail(tailBytes);
        Drains = Task.WhenAll(Stdout.DrainAsync(process.StandardOutput.BaseStream), Stderr.DrainAsync(process.StandardError.BaseStream));
    }

    public Process Process { get; }
    public int GroupId { get; }
    public StreamTail Stdout { get; }
    public StreamTail Stderr { get; }
    public Task Drains { get; }

    public bool HasExited
    {
        get
        {
            try
            {
                return Process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    public void Kill() => GroupProcess.KillGroup(Process, GroupId);

    public void Dispose() => Process.Dispose();
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
