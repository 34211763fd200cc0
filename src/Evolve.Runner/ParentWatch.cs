using System.Runtime.InteropServices;

namespace Evolve.Runner;

/// <summary>
/// Makes the kernel SIGKILL this runner when the host that started it dies, so a killed `evolve run` never leaves a
/// looping candidate behind (bubblewrap gives the same guarantee when it is used; this covers hosts without it).
/// </summary>
internal static class ParentWatch
{
    private const int PrSetPdeathsig = 1;
    private const int SigKill = 9;

    public static void DieWithParent()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = prctl(PrSetPdeathsig, SigKill, 0, 0, 0);
        }
        catch (DllNotFoundException)
        {
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

#pragma warning disable SYSLIB1054 // A classic P/Invoke keeps this project free of unsafe code; it runs once per process.
    [DllImport("libc", SetLastError = true)]
    private static extern int prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);
#pragma warning restore SYSLIB1054
}
