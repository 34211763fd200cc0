using System.Runtime.InteropServices;

namespace Evolve.Torch.Training;

/// <summary>Peak resident memory of this process (Linux VmHWM), resettable between runs.</summary>
internal static class PeakMemory
{
    /// <summary>Returns freed heap pages to the system so the next peak measures new allocations.</summary>
    public static void TrimFreeHeap()
    {
        try { MallocTrim(0); } catch (DllNotFoundException) { } catch (EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    public static long ReadCurrent() => ReadStatus("VmRSS:");

    public static void Reset()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static long Read() => ReadStatus("VmHWM:");

    private static long ReadStatus(string key)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { return Environment.WorkingSet; }
    }
}
