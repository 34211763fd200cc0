using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Evolve.Torch.Checks;

/// <summary>
/// CPU time used by torch work, with nanosecond resolution on Linux (Process.TotalProcessorTime ticks
/// in 10 ms). With one torch thread the work runs on the calling thread, so that thread's time is
/// used and background runtime threads (JIT, GC) do not count; otherwise the whole process's.
/// </summary>
internal static class ProcessCpuTime
{
    private const int ClockProcessCpuTimeId = 2;
    private const int ClockThreadCpuTimeId = 3;

    public static double Seconds()
    {
        int clock = TorchSharp.torch.get_num_threads() == 1 ? ClockThreadCpuTimeId : ClockProcessCpuTimeId;
        if (OperatingSystem.IsLinux() && ClockGetTime(clock, out var time) == 0)
            return time.Seconds + time.Nanoseconds * 1e-9;
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
