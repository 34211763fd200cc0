using TorchSharp;

namespace Evolve.Torch;

/// <summary>Loads TorchSharp's native backend once and picks the device training runs on.</summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool loaded;

    /// <summary>
    /// Loads the native backend (throwing a clear error naming the fix when it cannot) and sets the
    /// number of CPU threads torch may use; small numbers keep runs deterministic and polite on shared machines.
    /// </summary>
    public static void Initialize(int cpuThreads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cpuThreads, 1);
        lock (Gate)
        {
            EnsureLoaded();
            torch.set_num_threads(cpuThreads);
        }
    }

    /// <summary>Loads the native backend if needed, leaving the thread setting alone.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (!loaded)
            {
                try
                {
                    torch.InitializeDeviceType(DeviceType.CPU);
                }
                catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
                {
                    throw new InvalidOperationException(
                        "TorchSharp's native library failed to load. On hosts whose libstdc++ lacks GLIBCXX_3.4.32 " +
                        "(Debian 12) the build patches libLibTorchSharp.so; rebuild with `patchelf` and `g++` installed " +
                        "(apt-get install patchelf g++) so the EvolvePatchTorchSharpNatives target can run. Cause: " +
                        (e.InnerException ?? e).Message, e);
                }
                loaded = true;
            }
        }
    }

    /// <summary>CUDA when this build and machine have it, else the CPU.</summary>
    public static torch.Device SelectDevice(bool allowCuda = true)
    {
        EnsureLoaded();
        return allowCuda && torch.cuda.is_available() ? torch.CUDA : torch.CPU;
    }
}
