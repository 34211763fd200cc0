using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Evolve.Agents.Llm;

/// <summary>
/// Tells a whole program from one cut off mid-way: the endpoint's finish_reason=length, or braces that do not balance
/// (counted on C# tokens, so braces inside strings and comments do not count). A cut-off program is rejected, never
/// repaired or truncated further.
/// </summary>
public static class ProgramCompleteness
{
    /// <summary>Null when the program looks whole; otherwise why it does not.</summary>
    public static string? Problem(string program, bool replyCutOff)
    {
        if (replyCutOff)
            return "the reply was cut off at the token limit (finish_reason=length) before it ended; the incomplete program is rejected — raise max_tokens or ask for a diff";
        var open = 0;
        var close = 0;
        foreach (var token in SyntaxFactory.ParseTokens(program))
        {
            if (token.IsKind(SyntaxKind.OpenBraceToken)) open++;
            else if (token.IsKind(SyntaxKind.CloseBraceToken)) close++;
        }
        if (open == close) return null;
        return open > close
            ? $"the program is incomplete: {open} '{{' but only {close} '}}' — the reply looks cut off mid-program, so it is rejected"
            : $"the program has {close} '}}' but only {open} '{{'; it is not a whole C# program";
    }
}
