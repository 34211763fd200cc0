using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace Evolve.Agents.Offline;

/// <summary>Writes a new value in the style of an existing literal: same kind, suffix and notation, enough digits to differ.</summary>
internal static class LiteralFormatter
{
    public static string Format(NumericLiteral original, double value)
    {
        var text = original.Text.Replace("_", "", StringComparison.Ordinal);
        var suffix = new string(text.Reverse().TakeWhile(char.IsLetter).Reverse().ToArray());
        // An exponent's 'e' is not a suffix: "1e5" ends in a digit, "2.5e-3f" ends in 'f'.
        if (original.IsInteger) return ((long)Math.Round(value)).ToString(CultureInfo.InvariantCulture) + suffix;

        var body = text[..^suffix.Length];
        var scientific = body.Contains('e', StringComparison.OrdinalIgnoreCase);
        var dot = body.IndexOf('.', StringComparison.Ordinal);
        var decimals = dot < 0 ? 0 : body.Length - dot - 1;
        if (scientific)
        {
            var mantissa = body[..body.IndexOfAny(['e', 'E'])];
            var mantissaDot = mantissa.IndexOf('.', StringComparison.Ordinal);
            decimals = mantissaDot < 0 ? 0 : mantissa.Length - mantissaDot - 1;
        }

        // Keep the original's trailing zeros (0.1000 stays four places), and at least one decimal so it stays a real literal.
        var fixedPlaces = Math.Max(decimals, 1);
        // Start at the original precision (at least 4 places) and add digits until the written value differs.
        for (var places = Math.Max(decimals, scientific ? 2 : 4); places <= 17; places++)
        {
            var candidate = scientific
                ? value.ToString("0." + new string('0', places) + "e+0", CultureInfo.InvariantCulture)
                : value.ToString("0." + new string('0', Math.Min(fixedPlaces, places)) + new string('#', places - Math.Min(fixedPlaces, places)), CultureInfo.InvariantCulture);
            if (double.Parse(candidate, CultureInfo.InvariantCulture) != original.Value) return candidate + suffix;
        }
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        return (roundTrip.IndexOfAny(['.', 'E']) < 0 ? roundTrip + ".0" : roundTrip) + suffix;
    }

    /// <summary>The value a literal text denotes once parsed, so callers can check that a change really changes something.</summary>
    public static double ParsedValue(string literalText)
    {
        var token = SyntaxFactory.ParseToken(literalText);
        return Convert.ToDouble(token.Value, CultureInfo.InvariantCulture);
    }
}
