using System.Runtime.InteropServices;

namespace Evolve.Torch.Worker;

/// <summary>
/// Ends the worker when the process that started it dies (it is then re-parented), so a killed evolve host never
/// leaves training running that nobody will read. Polling getppid is used rather than PR_SET_PDEATHSIG, which
/// fires when the spawning *thread* exits, and .NET may start processes from short-lived pool threads.
/// </summary>
internal static class ParentWatch
{
    public static void ExitWhenOrphaned()
    {
        if (!OperatingSystem.IsLinux()) return;
        int parent = GetParentProcessId();
        var thread = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(500);
                if (GetParentProcessId() != parent)
                {
                    Console.Error.WriteLine("the process that started this worker is gone; stopping");
                    Environment.Exit(4);
                }
            }
        }) { IsBackground = true, Name = "parent-watch" };
        thread.Start();
    }

#pragma warning disable SYSLIB1054 // A classic P/Invoke keeps this project free of unsafe code.
    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentProcessId();
#pragma warning restore SYSLIB1054
}
