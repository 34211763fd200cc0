using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Parquet;
using Evolve.DataCuration.Processing;
using Evolve.DataCuration.Strategies;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.DataCuration.Tests;

/// <summary>A scratch folder deleted after the test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "evolve-curation-" + Guid.NewGuid().ToString("N")[..12]);

    public string Sub(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Curation
{
    public static ShardFormatOptions Format() => new();

    /// <summary>The shipped baseline strategy file (BuiltIn/data-curation/initial.cs), compiled once per test process.</summary>
    public static CompiledStrategy Baseline() => StrategyCache.Shared.Get(StrategySource.Builtin(), default);

    public static ShardCurator Curator(ShardFormatOptions? format = null) =>
        new(format ?? Format(), TimeProvider.System, NullLogger<ShardCurator>.Instance);

    public static CurationRunner Runner(ShardFormatOptions? format = null)
    {
        format ??= Format();
        return new CurationRunner(format, Curator(format), TimeProvider.System, NullLogger<CurationRunner>.Instance);
    }

    public static string Clean(ICleaningOperation operation, string text, out OperationStatistics statistics, ContentDomain domain = ContentDomain.General)
    {
        var document = new CleaningDocument(text) { Domain = domain };
        statistics = new OperationStatistics(operation.Name);
        operation.Apply(document, statistics);
        return document.IsRemoved ? "<removed>" : document.Text;
    }

    public static string Clean(ICleaningOperation operation, string text, ContentDomain domain = ContentDomain.General) =>
        Clean(operation, text, out _, domain);
}

/// <summary>Progress that runs its callback synchronously (Progress&lt;T&gt; posts to the thread pool, too late to cancel).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>Random texts and whole-text word scans, for the tests of both word encodings.</summary>
internal static class WordSamples
{
    /// <summary>A text of <paramref name="pieces"/> pieces from <paramref name="from"/>, with an occasional long word.</summary>
    public static string RandomText(Random random, int pieces, IReadOnlyList<string> from)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < pieces; i++)
        {
            builder.Append(random.Next(10) == 0 ? new string('m', random.Next(10, 40)) : from[random.Next(from.Count)]);
        }

        return builder.ToString();
    }

    /// <summary>Every word hash of <paramref name="text"/>, filled in batches of <paramref name="batchSize"/>.</summary>
    public static List<ulong> Scan<TUnit, TEncoding>(ReadOnlySpan<TUnit> text, int batchSize = 64)
        where TEncoding : Evolve.DataCuration.Cleaning.Text.IWordEncoding<TUnit>
    {
        Span<ulong> batch = stackalloc ulong[batchSize];
        var result = new List<ulong>();
        var scanner = new Evolve.DataCuration.Cleaning.Text.WordWalk<TUnit, TEncoding>(text);
        int filled;
        while ((filled = scanner.Fill(batch)) > 0) result.AddRange(batch[..filled].ToArray());
        return result;
    }

    /// <summary>
    /// Checks an encoding on words of every length at every alignment to the 64-unit blocks: each one is found whole,
    /// alone and followed by another. <paramref name="hashWord"/> and <paramref name="scan"/> take the text as a string.
    /// </summary>
    public static void AssertWordsAreWholeAtAnyLengthAndAlignment(Func<string, ulong> hashWord, Func<string, List<ulong>> scan)
    {
        foreach (var length in new[] { 1, 15, 16, 17, 31, 63, 64, 65, 129, 500 })
        {
            foreach (var lead in new[] { 0, 1, 47, 63 })
            {
                var word = new string('k', length - 1) + "Q";
                var text = new string(' ', lead) + word;
                Xunit.Assert.Equal([hashWord(word)], scan(text));
                Xunit.Assert.Equal([hashWord(word), hashWord("end")], scan(text + " end"));
            }
        }
    }

    /// <summary>ASCII case folds, and distinct words (200,000 generated, plus short and piece-length ones) hash apart.</summary>
    public static void AssertCaseFoldsAndWordsHashApart(Func<string, ulong> hashWord, Func<string, List<ulong>> scan)
    {
        Xunit.Assert.Equal(scan("Hello WORLD 42"), scan("hello world 42"));
        var hashes = new HashSet<ulong>();
        for (var i = 0; i < 200_000; i++) Xunit.Assert.True(hashes.Add(hashWord($"w{i}")), $"collision at w{i}");
        foreach (var word in new[] { "a", "b", "ab", "ba", "aa", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq", "é", "e" })
            Xunit.Assert.True(hashes.Add(hashWord(word)), $"collision at {word}");
    }
}
