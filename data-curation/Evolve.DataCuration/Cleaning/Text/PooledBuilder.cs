using System.Text;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// One reusable StringBuilder per thread for operations that rebuild a document: cleaning edits most
/// documents several times, and fresh builders were a large share of all allocation.
/// </summary>
internal static class PooledBuilder
{
    [ThreadStatic]
    private static StringBuilder? cached;

    public static StringBuilder Rent()
    {
        var builder = cached ?? new StringBuilder(4096);
        cached = null;
        builder.Clear();
        return builder;
    }

    /// <summary>Returns the built text and keeps the builder for the next document (unless it grew huge).</summary>
    public static string ToStringAndReturn(StringBuilder builder)
    {
        var result = builder.ToString();
        Return(builder);
        return result;
    }

    /// <summary>Keeps the builder for the next document (unless it grew huge) when its text is not needed.</summary>
    public static void Return(StringBuilder builder)
    {
        if (builder.Capacity <= 1 << 20) cached = builder;
    }
}
