using System.Collections.Concurrent;
using System.Diagnostics;

namespace Evolve.Engineering.Sandbox;

/// <summary>
/// Starts every sandboxed process from one long-lived thread. bubblewrap's --die-with-parent uses PR_SET_PDEATHSIG,
/// which fires when the *thread* that forked it exits, not the process: a process started from a thread-pool thread
/// would be SIGKILLed whenever the pool retires that thread. Forking from a thread that lives as long as the host
/// keeps the guarantee we want (candidates die with the host) without the random kills.
/// </summary>
internal static class SpawnThread
{
    private static readonly BlockingCollection<(ProcessStartInfo StartInfo, TaskCompletionSource<Process> Started)> Queue = new();

    static SpawnThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "evolve-sandbox-spawn" };
        thread.Start();
    }

    public static Task<Process> StartAsync(ProcessStartInfo startInfo)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((startInfo, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (startInfo, started) in Queue.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {startInfo.FileName}"));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
