using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Evolve.Agents.Novelty;

/// <summary>Program text without comments, whitespace or preprocessor lines: two programs that differ only there are the same.</summary>
public static class CodeNormalizer
{
    // The novelty check normalises the same existing nodes every round; parsing dominates its cost, so results are
    // remembered (bounded: once full the memo starts afresh).
    private const int MemoCapacity = 2048;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Memo = new(StringComparer.Ordinal);

    /// <summary>The program's tokens separated by single spaces (all trivia dropped).</summary>
    public static string Normalize(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (Memo.TryGetValue(code, out var known)) return known;
        var normalized = Join(CSharpSyntaxTree.ParseText(code).GetRoot(), numbersAsPlaceholders: false);
        if (Memo.Count >= MemoCapacity) Memo.Clear();
        Memo[code] = normalized;
        return normalized;
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="Normalize"/>: the exact-duplicate key.</summary>
    public static string Hash(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(code))));

    /// <summary>The normalised program with every numeric literal replaced by '#': equal skeletons mean the same program modulo numbers.</summary>
    internal static string Skeleton(SyntaxNode root) => Join(root, numbersAsPlaceholders: true);

    private static string Join(SyntaxNode root, bool numbersAsPlaceholders)
    {
        var text = new StringBuilder();
        foreach (var token in root.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.EndOfFileToken)) continue;
            if (text.Length > 0) text.Append(' ');
            text.Append(numbersAsPlaceholders && token.IsKind(SyntaxKind.NumericLiteralToken) ? "#" : token.Text);
        }
        return text.ToString();
    }
}
