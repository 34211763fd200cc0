using System.Runtime.InteropServices;

namespace Evolve.Engineering.Sandbox;

internal static partial class NativeMethods
{
    public const int SigKill = 9;

    /// <summary>kill(2): a negative pid signals the whole process group.</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
