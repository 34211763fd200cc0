namespace Evolve.Torch;

/// <summary>Readable messages from exceptions thrown by libtorch, whose text carries a C++ backtrace after the first lines.</summary>
public static class TorchErrors
{
    /// <summary>"TypeName: message" without libtorch's "Exception raised from …" and "frame #n" lines.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var lines = e.Message.Split('\n')
            .TakeWhile(l => !l.StartsWith("Exception raised from", StringComparison.Ordinal) && !l.StartsWith("frame #", StringComparison.Ordinal))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0);
        return $"{e.GetType().Name}: {string.Join(" ", lines)}";
    }
}
