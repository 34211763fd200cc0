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

    private static bool HostLibstdcxxHas(string version)
    {
        var libstdcxx = File.ReadAllLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .First(p => p.Contains("libstdc++.so.6", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(libstdcxx);
        return bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(version + "\0")) >= 0;
    }
}
