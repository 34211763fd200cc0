using System.Globalization;

namespace Evolve.Reporting;

/// <summary>How numbers and texts look in terminal reports: invariant culture, short, never "NaN" surprises.</summary>
public static class ReportFormat
{
    public static string Score(double? score) => score switch
    {
        null => "-",
        { } s when double.IsFinite(s) => s.ToString("0.######", CultureInfo.InvariantCulture),
        { } s => s.ToString(CultureInfo.InvariantCulture),
    };

    public static string Signed(double value) =>
        (value >= 0 ? "+" : "") + value.ToString("0.######", CultureInfo.InvariantCulture);

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Usd(double value) => "$" + value.ToString("0.0000", CultureInfo.InvariantCulture);

    public static string Seconds(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Time(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary>The first non-empty line, cut to <paramref name="max"/> characters (motivations can be long).</summary>
    public static string FirstLine(string? text, int max = 100)
    {
        var line = (text ?? "").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
