using System.Numerics;
using System.Runtime.InteropServices;

namespace Evolve.DataCuration.Cleaning.Text;

/// <summary>
/// A fast, seedless, deterministic 64-bit hash of UTF-16 text or bytes (string.GetHashCode is randomised per
/// process, and System.IO.Hashing is not available here). Used for dedup keys and line repeats.
/// </summary>
public static class FastHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    /// <summary>
    /// Four independent multiply chains over 32-byte blocks (one chain waits on each multiply), folded together with
    /// the length and the tail at the end: whole documents (exact-duplicate keys) hash at memory speed.
    /// </summary>
    public static ulong Hash64(ReadOnlySpan<char> text)
    {
        var words = MemoryMarshal.Cast<char, ulong>(text);
        ulong tail = 0;
        for (var k = words.Length * 4; k < text.Length; k++) tail = (tail << 16) | text[k];
        return Hash64(words, tail, text.Length);
    }

    /// <summary>The same over bytes (UTF-8 text as stored); not equal to the hash of the same text as UTF-16.</summary>
    public static ulong Hash64(ReadOnlySpan<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        ulong tail = 0;
        for (var k = words.Length * 8; k < bytes.Length; k++) tail = (tail << 8) | bytes[k];
        return Hash64(words, tail, bytes.Length);
    }

    private static ulong Hash64(ReadOnlySpan<ulong> words, ulong tail, int length)
    {
        ulong a = 0x243F6A8885A308D3UL, b = 0x13198A2E03707344UL, c = 0xA4093822299F31D0UL, d = 0x082EFA98EC4E6C89UL;
        var i = 0;
        for (; i + 4 <= words.Length; i += 4)
        {
            a = BitOperations.RotateLeft((a ^ words[i]) * Prime1, 31);
            b = BitOperations.RotateLeft((b ^ words[i + 1]) * Prime1, 31);
            c = BitOperations.RotateLeft((c ^ words[i + 2]) * Prime1, 31);
            d = BitOperations.RotateLeft((d ^ words[i + 3]) * Prime1, 31);
        }

        for (; i < words.Length; i++) a = BitOperations.RotateLeft((a ^ words[i]) * Prime1, 31);
        var h = (ulong)length * Prime2 ^ a ^ BitOperations.RotateLeft(b, 17) ^ BitOperations.RotateLeft(c, 34) ^ BitOperations.RotateLeft(d, 51);
        return Mix(h ^ Mix(tail + 1));
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
