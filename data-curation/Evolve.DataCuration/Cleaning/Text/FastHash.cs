using System.Numerics;
using System.Runtime.InteropServices;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// A fast, seedless, deterministic 64-bit hash of UTF-16 text (string.GetHashCode is randomised per
/// process, and System.IO.Hashing is not available here). Used for dedup keys and line repeats.
/// </summary>
public static class FastHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    public static ulong Hash64(ReadOnlySpan<char> text)
    {
        var words = MemoryMarshal.Cast<char, ulong>(text);
        var h = Prime2 ^ (ulong)text.Length;
        foreach (var word in words) h = BitOperations.RotateLeft(h ^ (word * Prime1), 29) * Prime2;
        for (var i = words.Length * 4; i < text.Length; i++) h = BitOperations.RotateLeft(h ^ (text[i] * Prime1), 29) * Prime2;
        return Mix(h);
    }

    public static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }
}
