using System.Diagnostics;
using System.Text;

namespace Evolve.DataCuration.Tests.Durable;

/// <summary>The real `evolve` executable in a child process with its output captured, so a test can SIGKILL it.</summary>
internal sealed class EvolveCli : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private EvolveCli(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static EvolveCli Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "evolve.dll"));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // The child must use its embedded sidecar, never a daprd the machine might have configured.
        info.Environment.Remove("DAPR_GRPC_ENDPOINT");
        info.Environment.Remove("DAPR_GRPC_PORT");
        var cli = new EvolveCli(new Process { StartInfo = info });
        cli._process.OutputDataReceived += (_, e) => cli.Append(e.Data);
        cli._process.ErrorDataReceived += (_, e) => cli.Append(e.Data);
        cli._process.Start();
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>SIGKILL to the whole process tree: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"evolve did not exit within {timeout}. Output:\n{Output}");
        }

        _process.WaitForExit(); // flushes the asynchronous output readers
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
