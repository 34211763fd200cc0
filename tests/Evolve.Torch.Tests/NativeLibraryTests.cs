using System.Text;
using static TorchSharp.torch;

namespace Evolve.Torch.Tests;

public class NativeLibraryTests
{
    [Fact]
    public void Matmul_runs_on_the_native_backend()
    {
        TorchRuntime.Initialize();
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        using var product = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, product.data<float>().ToArray());
    }

    [Fact]
    public void The_loaded_native_library_is_the_patched_copy_in_the_output_directory()
    {
        TorchRuntime.Initialize();
        var maps = File.ReadAllLines("/proc/self/maps");
        var loaded = maps.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .Where(p => p.EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal)).Distinct().ToList();
        var single = Assert.Single(loaded);
        // Loaded from beside the test assembly, not from a runtime copy TorchSharp makes into cpu/ on failure.
        Assert.StartsWith(AppContext.BaseDirectory, single);
        Assert.DoesNotContain("/cpu/", single);

        bool hostHasGcc13 = HostLibstdcxxHas("GLIBCXX_3.4.32");
        bool compatLoaded = maps.Any(l => l.EndsWith("/libevolve_glibcxx_compat.so", StringComparison.Ordinal));
        Assert.Equal(!hostHasGcc13, compatLoaded);
    }

    [Fact]
    public void The_patch_is_applied_once_however_often_the_output_is_rebuilt()
    {
        TorchRuntime.Initialize();
        if (HostLibstdcxxHas("GLIBCXX_3.4.32")) return; // nothing is patched on GCC 13+ hosts
        string library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string dynamic = Run("readelf", $"-d \"{library}\"");
        Assert.Single(dynamic.Split('\n'), l => l.Contains("NEEDED", StringComparison.Ordinal) && l.Contains("[libevolve_glibcxx_compat.so]", StringComparison.Ordinal));
        Assert.Contains("Name: GLIBCXX_3.4.32  Flags: WEAK", Run("readelf", $"-V \"{library}\""));
    }

    private static string Run(string tool, string arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true })!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return text;
    }

    private static bool HostLibstdcxxHas(string version)
    {
        var libstdcxx = File.ReadAllLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .First(p => p.Contains("libstdc++.so.6", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(libstdcxx);
        return bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(version + "\0")) >= 0;
    }
}
