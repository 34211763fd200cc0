using System.Diagnostics;
using System.Text;

namespace Evolve.Durable.Tests.Processes;

/// <summary>
/// The real `evolve` executable in a child process, with its output captured, so tests can kill it
/// with SIGKILL at any point and start it again.
/// </summary>
public sealed class EvolveProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<string> _lines = [];
    private readonly object _gate = new();

    private EvolveProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_gate) return _output.ToString(); }
    }

    /// <summary>Path of evolve.dll, copied next to the tests by the project reference.</summary>
    public static string EvolveDll => Path.Combine(AppContext.BaseDirectory, "evolve.dll");

    public static EvolveProcess Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(EvolveDll);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // The child must never attach to a daprd the test machine might have configured.
        info.Environment.Remove("DAPR_GRPC_ENDPOINT");
        info.Environment.Remove("DAPR_GRPC_PORT");
        var process = new Process { StartInfo = info };
        var wrapper = new EvolveProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.Append(e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_gate)
        {
            _output.AppendLine(line);
            _lines.Add(line);
        }
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
            {
                var match = _lines.FirstOrDefault(predicate);
                if (match is not null) return match;
            }
            if (_process.HasExited) break;
            await Task.Delay(50);
        }
        throw new TimeoutException($"No matching output line within {timeout}. Output so far:\n{Output}");
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
