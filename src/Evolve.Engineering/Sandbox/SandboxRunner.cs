using System.Globalization;
using System.Text.Json;
using Evolve.Core;
using Microsoft.Extensions.Logging;
using Evolve.Core.IO;

namespace Evolve.Engineering.Sandbox;

/// <summary>
/// Runs a compiled candidate's entry point in a separate runner process: its own process group (killed whole on the
/// wall-clock limit), the GC heap capped and resident memory watched, a fresh scratch directory as working directory
/// and HOME, an empty environment, and, where bubblewrap works, no network and a read-only view of everything but
/// the scratch directory. Whatever happens is turned into a <see cref="RunOutcome"/>; nothing the candidate does
/// throws here.
/// </summary>
public sealed class SandboxRunner : IDisposable
{
    public const string ScratchFolder = "scratch";
    public const string ResultFile = "result.json";
    public const string OutputFile = "output.json";
    private const long MaxResultBytes = 256L * 1024 * 1024;
    private const int StackLines = 12;

    private readonly EngineeringOptions _options;
    private readonly IsolationProbe _probe;
    private readonly ILogger<SandboxRunner> _logger;
    private readonly GroupProcess _process;
    private readonly string _runnerPath;
    private readonly string _dotnetPath;
    private readonly string _spareRoot;
    private readonly Lock _sparesLock = new();
    // At most one idle, already-started runner per memory cap (the cap is fixed when the runtime starts).
    private readonly Dictionary<int, Task<Spare?>> _spares = [];
    private bool _disposed;

    public SandboxRunner(EngineeringOptions options, IsolationProbe probe, ILogger<SandboxRunner> logger)
    {
        _options = options;
        _probe = probe;
        _logger = logger;
        _process = new GroupProcess(options);
        _runnerPath = Path.GetFullPath(options.RunnerPath ?? Path.Combine(AppContext.BaseDirectory, "Evolve.Runner.dll"));
        if (!File.Exists(_runnerPath))
        {
            var beside = Path.Combine(Path.GetDirectoryName(typeof(SandboxRunner).Assembly.Location)!, "Evolve.Runner.dll");
            _runnerPath = File.Exists(beside) ? beside : throw new InvalidOperationException(
                $"The candidate runner was not found at {_runnerPath}; build Evolve.Engineering (it copies Evolve.Runner.dll beside itself) " +
                "or set EngineeringOptions.RunnerPath.");
        }
        _dotnetPath = options.DotnetPath ?? FindDotnet() ?? throw new InvalidOperationException(
            "The 'dotnet' host was not found (looked at DOTNET_HOST_PATH, this process and PATH); set EngineeringOptions.DotnetPath.");
        _spareRoot = Path.GetFullPath(options.SpareDirectory ?? Path.Combine(Path.GetTempPath(), $"evolve-runners-{Environment.ProcessId}"));
    }

    /// <summary>Runs the entry point once. Re-running with the same request starts from an empty run directory.</summary>
    public async Task<RunOutcome> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var fields = new[] { Path.GetFullPath(request.AssemblyPath), request.EntryType, request.EntryMethod, request.Stage };
        if (fields.Any(f => f.Contains('\t') || f.Contains('\n')))
        {
            throw new ArgumentException("assembly path, entry point and stage name must not contain tabs or line breaks", nameof(request));
        }
        var runDirectory = Path.GetFullPath(request.RunDirectory);
        var bwrap = await _probe.BubblewrapAsync(cancellationToken).ConfigureAwait(false);

        // Use the started runner waiting for this memory cap (its runtime start-up is already paid), start the next
        // one in the background, and start one now only when none was waiting.
        var spare = await TakeSpareAsync(request.MemoryMb).ConfigureAwait(false);
        if (_options.PrestartRunners) Replenish(request.MemoryMb, bwrap);
        var prestarted = spare is not null;
        spare ??= await StartSpareAsync(request.MemoryMb, bwrap).ConfigureAwait(false);

        GroupProcessOutcome outcome;
        using (spare.Group)
        {
            try
            {
                var job = string.Join('\t', fields[0], fields[1], fields[2], Path.Combine(spare.Directory, ResultFile), fields[3]);
                await spare.Group.Process.StandardInput.WriteLineAsync(job.AsMemory(), cancellationToken).ConfigureAwait(false);
                spare.Group.Process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The runner died before it got the job; the outcome below reports how it ended.
            }
            outcome = await _process.WaitAsync(spare.Group, request.Timeout,
                ((long)request.MemoryMb + _options.MemoryHeadroomMb) * 1024 * 1024, cancellationToken).ConfigureAwait(false);
        }

        if (Directory.Exists(runDirectory)) Directory.Delete(runDirectory, recursive: true);
        MoveDirectory(spare.Directory, runDirectory);
        var (status, error) = Interpret(request, outcome, Path.Combine(runDirectory, ResultFile), runDirectory, spare.Isolated);
        if (status != NodeStatus.Ok)
        {
            _logger.LogDebug("Candidate run in {Directory} ended {Status}: {Error}", runDirectory, status.ToWireName(), error);
        }
        return new RunOutcome(status, status == NodeStatus.Ok ? Path.Combine(runDirectory, OutputFile) : null, error, outcome.ExitCode,
            spare.Isolated, outcome.Duration, outcome.PeakResidentBytes, outcome.StdoutTail, outcome.StderrTail, prestarted);
    }

    /// <summary>Stops the runners that were started ahead of time.</summary>
    public void Dispose()
    {
        List<Task<Spare?>> spares;
        lock (_sparesLock)
        {
            _disposed = true;
            spares = [.. _spares.Values];
            _spares.Clear();
        }
        foreach (var pending in spares)
        {
            if (pending.IsCompletedSuccessfully && pending.Result is { } spare) Retire(spare);
            else pending.ContinueWith(t => { if (t.IsCompletedSuccessfully && t.Result is { } s) Retire(s); }, TaskScheduler.Default);
        }
        try
        {
            if (Directory.Exists(_spareRoot)) Directory.Delete(_spareRoot, recursive: true);
        }
        catch (IOException)
        {
            // A runner still dying may hold a file for a moment; the folder lives in temp.
        }
    }

    private sealed record Spare(StartedGroup Group, string Directory, bool Isolated);

    private async Task<Spare?> TakeSpareAsync(int memoryMb)
    {
        Task<Spare?>? pending;
        lock (_sparesLock)
        {
            if (!_spares.Remove(memoryMb, out pending)) return null;
        }
        Spare? spare;
        try
        {
            spare = await pending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
        if (spare is null || !spare.Group.HasExited) return spare;
        Retire(spare);
        return null;
    }

    private void Replenish(int memoryMb, string? bwrap)
    {
        lock (_sparesLock)
        {
            if (_disposed || _spares.ContainsKey(memoryMb)) return;
            _spares[memoryMb] = StartSpareQuietlyAsync(memoryMb, bwrap);
        }
    }

    private async Task<Spare?> StartSpareQuietlyAsync(int memoryMb, string? bwrap)
    {
        try
        {
            return await StartSpareAsync(memoryMb, bwrap).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            _logger.LogWarning(e, "Could not start a spare candidate runner; runs will start their own.");
            return null;
        }
    }

    /// <summary>Starts a runner that warms up and then waits on stdin for its job, in a fresh directory of its own.</summary>
    private async Task<Spare> StartSpareAsync(int memoryMb, string? bwrap)
    {
        var directory = Path.Combine(_spareRoot, Guid.NewGuid().ToString("N"));
        var scratch = Directory.CreateDirectory(Path.Combine(directory, ScratchFolder)).FullName;
        List<string> command = [_dotnetPath, _runnerPath, "--serve"];
        if (bwrap is not null) command = [bwrap, .. BubblewrapArguments(scratch, directory), .. command];
        var group = await _process.StartAsync(new GroupProcessSpec(command[0], command[1..], scratch, CandidateEnvironment(scratch, memoryMb),
            Timeout.InfiniteTimeSpan, null), keepInputOpen: true).ConfigureAwait(false);
        return new Spare(group, directory, bwrap is not null);
    }

    private static void Retire(Spare spare)
    {
        spare.Group.Kill();
        spare.Group.Dispose();
        try
        {
            Directory.Delete(spare.Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Moves a run's files into place; copies when the two folders are on different file systems.</summary>
    private static void MoveDirectory(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        try
        {
            Directory.Move(source, destination);
            return;
        }
        catch (IOException)
        {
            // Cross-device: fall through to copy.
        }
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)), overwrite: true);
        }
        Directory.Delete(source, recursive: true);
    }

    /// <summary>
    /// bubblewrap arguments: new network, PID, IPC and UTS namespaces; the host filesystem read-only; a minimal /dev
    /// and /proc; only <paramref name="scratch"/> and <paramref name="writable"/> writable; die with the parent.
    /// </summary>
    internal static IReadOnlyList<string> BubblewrapArguments(string scratch, string writable) =>
    [
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--bind", writable, writable,
        "--bind", scratch, scratch,
        "--chdir", scratch,
    ];

    private Dictionary<string, string> CandidateEnvironment(string scratch, int memoryMb)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = scratch,
            ["TMPDIR"] = scratch,
            ["LANG"] = "C.UTF-8",
            // The GC heap cap turns unbounded allocation into an OutOfMemoryException the runner can report.
            ["DOTNET_GCHeapHardLimit"] = ((long)memoryMb * 1024 * 1024).ToString("X", CultureInfo.InvariantCulture),
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_gcConcurrent"] = "0",
            ["DOTNET_TieredPGO"] = "0",
            // No diagnostic IPC socket in /tmp (read-only in the sandbox) and no telemetry.
            ["DOTNET_EnableDiagnostics"] = "0",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root) environment["DOTNET_ROOT"] = root;
        return environment;
    }

    private static (NodeStatus Status, string? Error) Interpret(RunRequest request, GroupProcessOutcome outcome, string resultPath, string runDirectory, bool isolated)
    {
        if (outcome.TimedOut)
        {
            return (NodeStatus.Timeout,
                $"ran past the {request.Timeout.TotalSeconds:0.###} s wall-clock limit of stage '{request.Stage}'; the whole process tree was killed");
        }
        if (outcome.MemoryExceeded)
        {
            return (NodeStatus.OutOfMemory,
                $"resident memory reached {outcome.PeakResidentBytes / (1024 * 1024)} MiB, over the {request.MemoryMb} MiB cap of stage '{request.Stage}' " +
                "(plus runtime headroom); the whole process tree was killed");
        }

        if (File.Exists(resultPath))
        {
            if (new FileInfo(resultPath).Length > MaxResultBytes)
            {
                return (NodeStatus.InvalidOutput, $"the returned value is larger than {MaxResultBytes / (1024 * 1024)} MiB of JSON");
            }
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(resultPath));
                var root = document.RootElement;
                switch (Text(root, "status"))
                {
                    case "ok" when root.TryGetProperty("value", out var value):
                        AtomicFile.WriteAllText(Path.Combine(runDirectory, OutputFile), value.GetRawText());
                        return (NodeStatus.Ok, null);
                    case "exception":
                        return ClassifyException(request, Text(root, "type"), Text(root, "message"), Text(root, "stack"), Text(root, "inner"), isolated);
                    case "setup_error":
                        return (NodeStatus.Crash, $"the runner could not call the entry point: {Text(root, "message")}");
                }
            }
            catch (JsonException)
            {
                // Fall through: a candidate that scribbled over the result file is handled like one that left none.
            }
        }

        var stderr = outcome.StderrTail;
        if (stderr.Contains("Stack overflow", StringComparison.OrdinalIgnoreCase))
        {
            return (NodeStatus.Crash, $"the process died of a stack overflow (unbounded recursion?): {LastLines(stderr, 6)}");
        }
        if (stderr.Contains("OutOfMemory", StringComparison.Ordinal) || stderr.Contains("Out of memory", StringComparison.OrdinalIgnoreCase))
        {
            return (NodeStatus.OutOfMemory, $"ran out of memory under the {request.MemoryMb} MiB cap: {LastLines(stderr, 4)}");
        }
        if (outcome.ExitCode == 128 + NativeMethods.SigKill)
        {
            return (NodeStatus.OutOfMemory, "the process was SIGKILLed from outside (most likely the kernel's out-of-memory killer)");
        }
        if (stderr.TrimStart().StartsWith("bwrap:", StringComparison.Ordinal))
        {
            return (NodeStatus.Crash, $"the sandbox failed to start: {LastLines(stderr, 3)}");
        }
        return (NodeStatus.Crash, outcome.ExitCode == 0
            ? "the process exited without returning a result (did the candidate end the process itself?)"
            : $"the process exited with code {outcome.ExitCode} without a result{(stderr.Length > 0 ? ": " + LastLines(stderr, 6) : "")}");
    }

    private static (NodeStatus, string) ClassifyException(RunRequest request, string type, string message, string stack, string inner, bool isolated)
    {
        var both = $"{type}: {message} {inner}";
        if (type is "System.OutOfMemoryException" or "System.InsufficientMemoryException")
        {
            return (NodeStatus.OutOfMemory, $"ran out of memory under the {request.MemoryMb} MiB cap of stage '{request.Stage}' ({type}: {message})");
        }
        if (type == "Evolve.OutputTooLarge") return (NodeStatus.InvalidOutput, message);
        if (isolated && (both.Contains("System.Net.Sockets.SocketException", StringComparison.Ordinal) ||
                         type.StartsWith("System.Net.", StringComparison.Ordinal)))
        {
            return (NodeStatus.SandboxViolation,
                $"network access was blocked by the sandbox (candidates have no network): {type}: {message}");
        }
        if (isolated && (type is "System.UnauthorizedAccessException" || type.StartsWith("System.IO.", StringComparison.Ordinal)) &&
            (both.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) || both.Contains("Access to the path", StringComparison.Ordinal) ||
             both.Contains("Permission denied", StringComparison.OrdinalIgnoreCase)))
        {
            return (NodeStatus.SandboxViolation,
                $"a write outside the scratch directory was blocked by the sandbox (only the working directory is writable): {type}: {message}");
        }
        var frames = string.Join("\n", stack.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).Take(StackLines));
        return (NodeStatus.Crash, $"the candidate threw {type}: {message}{(inner.Length > 0 ? $" (inner: {inner})" : "")}{(frames.Length > 0 ? "\n" + frames : "")}");
    }

    private static string Text(JsonElement root, string property) =>
        root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    private static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));

    private static string? FindDotnet()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)) return hostPath;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return ExecutableLocator.Find("dotnet");
    }
}
