using System.Diagnostics;
using System.Runtime.InteropServices;
using Evolve.Torch.Jobs;
using Microsoft.Extensions.Logging;

namespace Evolve.Torch.LinearAttention;

/// <summary>How one worker process ended.</summary>
/// <param name="ExitCode">Process exit code (128 + n when killed by signal n).</param>
/// <param name="TimedOut">It ran past its limit and was killed.</param>
/// <param name="Response">What it wrote, when it wrote anything.</param>
/// <param name="OutputTail">The last lines of its stdout and stderr.</param>
public sealed record WorkerRun(int ExitCode, bool TimedOut, WorkerResponse? Response, string OutputTail)
{
    /// <summary>Readable cause of an abnormal end.</summary>
    public string Describe() => ExitCode switch
    {
        > 128 and < 160 => $"the training process was killed by signal {ExitCode - 128}{(ExitCode == 137 ? " (SIGKILL: killed from outside or by the out-of-memory killer)" : ExitCode == 139 ? " (SIGSEGV: a native crash)" : "")}",
        _ => $"the training process exited with code {ExitCode}",
    } + (OutputTail.Length == 0 ? "" : $"; its last output: {OutputTail}");
}

/// <summary>
/// Starts Evolve.Torch.Worker on a request, streams its progress lines to the log, kills its process tree at the
/// time limit or on cancellation, and reads its response. The worker's id is written to <c>{label}-worker.pid</c>
/// in the work directory (operators, and the crash test, can find it there).
/// </summary>
public sealed class WorkerLauncher(LinearAttentionOptions options, ILogger<WorkerLauncher> logger)
{
    private const int TailLines = 8;
    private readonly string workerPath = Path.GetFullPath(options.WorkerPath ?? Path.Combine(AppContext.BaseDirectory, "Evolve.Torch.Worker.dll"));
    private readonly string dotnetPath = options.DotnetPath ?? FindDotnet();

    /// <param name="onOutputLine">Called with each line the worker prints on stdout (progress lines among them).</param>
    public async Task<WorkerRun> RunAsync(WorkerRequest request, string workDirectory, TimeSpan timeout, CancellationToken cancellationToken,
        Action<string>? onOutputLine = null)
    {
        if (!File.Exists(workerPath))
            throw new InvalidOperationException($"The training worker was not found at {workerPath}; build Evolve.Torch.LinearAttention (it copies Evolve.Torch.Worker.dll beside itself) or set LinearAttentionOptions.WorkerPath.");
        Directory.CreateDirectory(workDirectory);
        string requestPath = Path.Combine(workDirectory, $"{request.Label}-request.json");
        File.Delete(request.ResultPath); // never mistake an earlier attempt's answer for this one's
        WorkerJson.WriteAtomically(requestPath, request);

        var start = new ProcessStartInfo(dotnetPath)
        {
            ArgumentList = { workerPath, requestPath },
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = new Process { StartInfo = start };
        var tail = new Queue<string>();
        void Keep(string? line, bool isError)
        {
            if (line is null) return;
            if (isError) logger.LogWarning("worker: {Line}", line);
            else
            {
                logger.LogInformation("worker: {Line}", line);
                onOutputLine?.Invoke(line);
            }
            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > TailLines) tail.Dequeue();
            }
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => Keep(e.Data, isError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        File.WriteAllText(Path.Combine(workDirectory, $"{request.Label}-worker.pid"), process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        logger.LogInformation("Started training worker {Pid} ({Label}, {Mode}) in {Directory}", process.Id, request.Label, request.Mode, workDirectory);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }
        process.WaitForExit(); // drains the redirected streams

        WorkerResponse? response = null;
        if (File.Exists(request.ResultPath))
        {
            try
            {
                response = WorkerJson.Read<WorkerResponse>(request.ResultPath);
            }
            catch (System.Text.Json.JsonException e)
            {
                logger.LogWarning("The worker's response {Path} is unreadable: {Message}", request.ResultPath, e.Message);
            }
        }
        string outputTail;
        lock (tail) outputTail = string.Join(" | ", tail);
        return new WorkerRun(process.ExitCode, timedOut, response, outputTail);
    }

    private static string FindDotnet()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        // The runtime this process uses lives at <root>/shared/Microsoft.NETCore.App/<version>/; the host is <root>/dotnet.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var beside = Path.Combine(root, "dotnet");
        return File.Exists(beside) ? beside : "dotnet";
    }
}
