using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Evolve.Engineering.StaticChecks;

/// <summary>
/// Finds uses of forbidden namespaces, types and members by semantic analysis: every name in the candidate is
/// bound, so aliases, `var`, extension methods and fully qualified names are all caught, not just text matches.
/// </summary>
public static class ForbiddenApiScanner
{
    /// <summary>Each forbidden rule used, with where it was first used.</summary>
    /// <param name="forbidden">Fully qualified namespaces, types or members (see StaticCheckSpec.Forbidden).</param>
    public static IReadOnlyList<ForbiddenUsage> Scan(Compilation compilation, SyntaxTree tree, IReadOnlyList<string> forbidden, CancellationToken cancellationToken)
    {
        if (forbidden.Count == 0) return [];
        var model = compilation.GetSemanticModel(tree);
        var found = new Dictionary<string, ForbiddenUsage>(StringComparer.Ordinal);
        foreach (var node in tree.GetRoot(cancellationToken).DescendantNodes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node is not (SimpleNameSyntax or ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or ElementAccessExpressionSyntax))
            {
                continue;
            }
            var info = model.GetSymbolInfo(node, cancellationToken);
            var symbols = info.Symbol is { } s ? [s] : info.CandidateSymbols;
            foreach (var symbol in symbols)
            {
                foreach (var name in NamesOf(symbol))
                {
                    var rule = forbidden.FirstOrDefault(f => name == f || name.StartsWith(f + ".", StringComparison.Ordinal));
                    if (rule is null) continue;
                    var position = node.GetLocation().GetLineSpan().StartLinePosition;
                    // Keep the first use of each rule, but let `System.IO.File.WriteAllText` replace its own prefixes
                    // (`System.IO`, `System.IO.File`) so the report names the API actually called.
                    if (found.TryGetValue(rule, out var first) &&
                        !(first.Line == position.Line + 1 && name.StartsWith(first.Api + ".", StringComparison.Ordinal)))
                    {
                        continue;
                    }
                    found[rule] = new ForbiddenUsage(rule, name, first?.Line ?? position.Line + 1, first?.Column ?? position.Character + 1);
                }
            }
        }
        return found.Values.OrderBy(u => u.Line).ThenBy(u => u.Column).ToList();
    }

    /// <summary>The fully qualified names a symbol is reachable under: itself, its type, its namespace.</summary>
    private static IEnumerable<string> NamesOf(ISymbol symbol)
    {
        switch (symbol)
        {
            case INamespaceSymbol ns:
                if (!ns.IsGlobalNamespace) yield return ns.ToDisplayString();
                break;
            case INamedTypeSymbol type:
                yield return TypeName(type.OriginalDefinition);
                break;
            case IMethodSymbol method:
                var definition = (method.ReducedFrom ?? method).OriginalDefinition;
                if (definition.ContainingType is { } owner)
                {
                    var typeName = TypeName(owner.OriginalDefinition);
                    yield return method.MethodKind == MethodKind.Constructor ? typeName : $"{typeName}.{definition.Name}";
                }
                break;
            case IPropertySymbol or IFieldSymbol or IEventSymbol when symbol.ContainingType is { } memberOwner:
                yield return $"{TypeName(memberOwner.OriginalDefinition)}.{symbol.Name}";
                break;
        }
    }

    private static string TypeName(INamedTypeSymbol type)
    {
        var name = type.Name;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType) name = $"{outer.Name}.{name}";
        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? $"{ns.ToDisplayString()}.{name}" : name;
    }
}

/// <summary>A forbidden rule the candidate broke: the rule, the API it used, and where (1-based).</summary>
public sealed record ForbiddenUsage(string Rule, string Api, int Line, int Column)
{
    public override string ToString() => $"({Line},{Column}): uses {Api}, forbidden by the rule '{Rule}'";
}
