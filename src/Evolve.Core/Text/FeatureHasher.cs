using System.Runtime.CompilerServices;

namespace Evolve.Core.Text;

/// <summary>
/// Deterministic text vectors by feature hashing: word unigrams and bigrams plus character n-grams of each word,
/// hashed (FNV-1a, signed) into a fixed number of dimensions and L2-normalised. Texts that share words and word
/// pieces get a high cosine similarity; the same text always gives the same vector, on every machine.
/// </summary>
public sealed class FeatureHasher
{
    private const float UnigramWeight = 1.0f;
    private const float BigramWeight = 0.7f;
    private const float CharGramWeight = 0.35f;

    public FeatureHasher(int dimensions, int charGramLength = 3)
    {
        if (dimensions < 8)
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "The hashing dimension must be at least 8 (384 is the default).");
        if (charGramLength < 2)
            throw new ArgumentOutOfRangeException(nameof(charGramLength), charGramLength, "Character n-grams must be at least 2 characters long.");
        Dimensions = dimensions;
        CharGramLength = charGramLength;
    }

    public int Dimensions { get; }
    public int CharGramLength { get; }

    public float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        Embed(text, vector);
        return vector;
    }

    /// <summary>Writes the unit vector of <paramref name="text"/> into <paramref name="destination"/> (all zeros for text without words).</summary>
    public void Embed(ReadOnlySpan<char> text, Span<float> destination)
    {
        if (destination.Length != Dimensions)
            throw new ArgumentException($"Destination has {destination.Length} elements; this hasher writes {Dimensions}.", nameof(destination));
        destination.Clear();

        Span<char> word = stackalloc char[64];
        ulong previousWordHash = 0;
        var hasPrevious = false;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i])) i++;
            var length = 0;
            while (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                // Long tokens (hex blobs, base64) are truncated: their head identifies them well enough.
                if (length < word.Length) word[length++] = char.ToLowerInvariant(text[i]);
                i++;
            }
            if (length == 0) break;

            var current = word[..length];
            var wordHash = Fnv(current, seed: 0xcbf29ce484222325UL);
            Add(destination, wordHash, UnigramWeight);
            if (hasPrevious) Add(destination, Mix(previousWordHash, wordHash), BigramWeight);
            AddCharGrams(destination, current);
            previousWordHash = wordHash;
            hasPrevious = true;
        }

        Normalise(destination);
    }

    private void AddCharGrams(Span<float> destination, ReadOnlySpan<char> word)
    {
        // Boundary markers make prefixes and suffixes distinct features ("^ca", "at$").
        Span<char> padded = stackalloc char[word.Length + 2];
        padded[0] = '^';
        word.CopyTo(padded[1..]);
        padded[^1] = '$';
        if (padded.Length < CharGramLength)
        {
            Add(destination, Fnv(padded, seed: 0x84222325cbf29ce4UL), CharGramWeight);
            return;
        }
        for (var start = 0; start + CharGramLength <= padded.Length; start++)
        {
            Add(destination, Fnv(padded.Slice(start, CharGramLength), seed: 0x84222325cbf29ce4UL), CharGramWeight);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(Span<float> destination, ulong hash, float weight)
    {
        var index = (int)(hash % (ulong)Dimensions);
        // The sign bit comes from other hash bits, so collisions cancel out on average instead of piling up.
        destination[index] += ((hash >> 63) == 0) ? weight : -weight;
    }

    private static ulong Fnv(ReadOnlySpan<char> text, ulong seed)
    {
        var hash = seed;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 0x100000001b3UL;
        }
        return Finalise(hash);
    }

    private static ulong Mix(ulong a, ulong b) => Finalise(a * 31 + (b ^ 0x9e3779b97f4a7c15UL));

    // splitmix64 finaliser: spreads FNV's weak low bits over the whole word.
    private static ulong Finalise(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    private static void Normalise(Span<float> vector)
    {
        double sum = 0;
        foreach (var v in vector) sum += (double)v * v;
        if (sum <= 0) return;
        var scale = (float)(1.0 / Math.Sqrt(sum));
        for (var k = 0; k < vector.Length; k++) vector[k] *= scale;
    }
}
