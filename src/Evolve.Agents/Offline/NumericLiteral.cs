using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Evolve.Agents.Offline;

/// <summary>A numeric literal of a program that the offline researcher may change.</summary>
/// <param name="Token">The literal token in its tree.</param>
/// <param name="Value">Its value as a double.</param>
/// <param name="IsInteger">Integers stay integers.</param>
/// <param name="Line">1-based line, for the motivation.</param>
internal sealed record NumericLiteral(SyntaxToken Token, double Value, bool IsInteger, int Line)
{
    public string Text => Token.Text;
}

/// <summary>Finds the tunable numeric literals of a program.</summary>
internal static class NumericLiteralScanner
{
    /// <summary>
    /// Tunable literals in source order. Integers of 0 and 1, array sizes and index arguments are structure, not
    /// parameters, and are left alone. When the program declares fields or constants holding literals, only those are
    /// returned: they are the program's parameters, while literals inside methods are mostly formulas
    /// (<c>1.0 - x</c>) whose change would only break the program.
    /// </summary>
    public static IReadOnlyList<NumericLiteral> Scan(SyntaxNode root)
    {
        var all = new List<(NumericLiteral Literal, bool InDeclaration)>();
        foreach (var token in root.DescendantTokens())
        {
            if (!token.IsKind(SyntaxKind.NumericLiteralToken)) continue;
            if (token.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || token.Text.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) continue;
            var isInteger = token.Value is int or uint or long or ulong;
            double value;
            if (isInteger) value = Convert.ToDouble(token.Value, CultureInfo.InvariantCulture);
            else if (token.Value is double d) value = d;
            else if (token.Value is float f) value = f;
            else if (token.Value is decimal m) value = (double)m;
            else continue;
            if (!double.IsFinite(value)) continue;
            if (isInteger && (value <= 1 || value > int.MaxValue / 2 || IsStructural(token))) continue;
            var line = token.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            all.Add((new NumericLiteral(token, value, isInteger, line), IsDeclaredParameter(token)));
        }
        return all.Any(l => l.InDeclaration)
            ? all.Where(l => l.InDeclaration).Select(l => l.Literal).ToList()
            : all.Select(l => l.Literal).ToList();
    }

    private static bool IsStructural(SyntaxToken token) =>
        token.Parent?.Ancestors().Any(a => a is ArrayRankSpecifierSyntax or BracketedArgumentListSyntax or AttributeSyntax
            or CaseSwitchLabelSyntax or ConstantPatternSyntax) == true;

    /// <summary>A literal in a field, a constant, or an initializer outside any method body.</summary>
    private static bool IsDeclaredParameter(SyntaxToken token)
    {
        foreach (var ancestor in token.Parent!.Ancestors())
        {
            switch (ancestor)
            {
                case FieldDeclarationSyntax:
                    return true;
                case LocalDeclarationStatementSyntax local when local.IsConst:
                    return true;
                case BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax
                    or AnonymousFunctionExpressionSyntax or GlobalStatementSyntax:
                    return false;
            }
        }
        return false;
    }
}
