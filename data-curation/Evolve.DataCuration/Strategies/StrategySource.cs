using System.Security.Cryptography;
using System.Text;

namespace Evolve.DataCuration.Strategies;

/// <summary>
/// The C# text of a cleaning strategy and where it came from. A strategy file defines
/// <c>public static class Strategy { public static CleaningPipeline Build() }</c>, composing the library's
/// operations (see BuiltIn/data-curation/initial.cs, the baseline). Its <see cref="Hash"/> identifies it in
/// manifests and decides whether finished shards can be reused.
/// </summary>
/// <param name="Text">The source.</param>
/// <param name="Origin">A path or "builtin", for messages.</param>
public sealed record StrategySource(string Text, string Origin)
{
    /// <summary>What <c>--strategy</c> accepts besides a file: the shipped baseline.</summary>
    public const string BuiltinName = "builtin";

    /// <summary>First 16 hex digits of the SHA-256 of the source text.</summary>
    public string Hash { get; } = HashOf(Text);

    public static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    /// <summary>The baseline strategy, shipped as the data-curation task's initial program beside the application.</summary>
    public static StrategySource Builtin() => FromFile(DataCurationTaskFolder.InitialProgramPath, BuiltinName);

    /// <summary>"builtin" or the path of a strategy file.</summary>
    public static StrategySource Resolve(string builtinOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(builtinOrPath);
        return builtinOrPath == BuiltinName ? Builtin() : FromFile(builtinOrPath, Path.GetFullPath(builtinOrPath));
    }

    private static StrategySource FromFile(string path, string origin)
    {
        if (!File.Exists(path))
        {
            throw new InvalidStrategyException(origin == BuiltinName
                ? $"The built-in strategy '{path}' is missing; the BuiltIn/data-curation folder must ship beside the application."
                : $"Strategy file '{path}' does not exist. Give --strategy builtin or the path of a C# file defining " +
                  "public static class Strategy { public static CleaningPipeline Build() }.");
        }

        return new StrategySource(File.ReadAllText(path), origin);
    }
}

/// <summary>A strategy that cannot be used: it does not compile, uses forbidden APIs, or its Build() fails. The message says which and where.</summary>
public sealed class InvalidStrategyException(string message, Exception? inner = null) : ArgumentException(message, inner);
