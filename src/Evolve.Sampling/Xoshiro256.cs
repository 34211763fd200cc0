namespace Evolve.Sampling;

/// <summary>
/// xoshiro256** (Blackman and Vigna): a small, fast generator whose whole state is four words, so a sampler's
/// randomness can be saved with its state and resumed exactly. System.Random cannot be serialised.
/// </summary>
public sealed class Xoshiro256
{
    private ulong _s0, _s1, _s2, _s3;

    private Xoshiro256(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0) throw new ArgumentException("xoshiro256 state must not be all zeros.");
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>Seeds the four state words from one seed with splitmix64, as the authors recommend.</summary>
    public static Xoshiro256 FromSeed(ulong seed)
    {
        var x = seed;
        return new Xoshiro256(SplitMix(ref x), SplitMix(ref x), SplitMix(ref x), SplitMix(ref x));
    }

    public static Xoshiro256 FromState(IReadOnlyList<ulong> state)
    {
        if (state is not { Count: 4 }) throw new FormatException("A xoshiro256 state has exactly four 64-bit words.");
        return new Xoshiro256(state[0], state[1], state[2], state[3]);
    }

    public ulong[] State => [_s0, _s1, _s2, _s3];

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>) without modulo bias (Lemire's method).</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0) throw new ArgumentOutOfRangeException(nameof(exclusiveMax), exclusiveMax, "must be positive");
        var bound = (ulong)exclusiveMax;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var r = NextUInt64();
            var product = Math.BigMul(r, bound, out var low);
            if (low >= threshold) return (int)product;
        }
    }

    /// <summary>Picks <paramref name="count"/> distinct indices of [0, <paramref name="n"/>) in random order (partial Fisher–Yates).</summary>
    public int[] SampleIndices(int n, int count)
    {
        count = Math.Min(count, n);
        var indices = new int[n];
        for (var i = 0; i < n; i++) indices[i] = i;
        for (var i = 0; i < count; i++)
        {
            var j = i + NextInt(n - i);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        return indices[..count];
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9e3779b97f4a7c15UL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}
