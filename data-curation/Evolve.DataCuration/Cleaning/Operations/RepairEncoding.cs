using System.Text;

namespace Evolve.DataCuration.Cleaning.Operations;

/// <summary>
/// Repairs the most common mojibake: UTF-8 bytes that were decoded as Windows-1252 or Latin-1
/// ("cafÃ©" → "café", "â€™" → "’"). Each suspicious run is re-encoded and decoded strictly as UTF-8,
/// and replaced only when that decoding succeeds, so genuine accented text stays as it is.
/// </summary>
public sealed class RepairEncoding : ICleaningOperation
{
    private static readonly Dictionary<char, byte> Windows1252Specials = BuildSpecials();

    public string Name => "repair-encoding";

    public string Parameters => "cp1252+latin1";

    public void Apply(CleaningDocument document, OperationStatistics statistics)
    {
        var first = document.Span.IndexOfAnyInRange('\u00C2', '\u00F4');
        if (first < 0) return;
        if (Repair(document, first) is { } repaired) statistics.CountEdit(document, repaired);
    }

    /// <summary>The repaired text, or null when nothing needed repair.</summary>
    private static Cleaning.Text.TextBuilder? Repair(CleaningDocument document, int start)
    {
        var text = document.Span;
        Cleaning.Text.TextBuilder? builder = null;
        var copied = 0;
        Span<byte> bytes = stackalloc byte[4];
        Span<char> encoded = stackalloc char[2];
        for (var i = start; i < text.Length; i++)
        {
            var skip = text[i..].IndexOfAnyInRange('\u00C2', '\u00F4');
            if (skip < 0) break;
            i += skip;
            var lead = text[i];
            var length = lead < '\u00E0' ? 2 : lead < '\u00F0' ? 3 : 4;
            if (i + length > text.Length) continue;
            bytes[0] = (byte)lead;
            var valid = true;
            for (var k = 1; k < length && valid; k++)
            {
                valid = TryToByte(text[i + k], out var b) && b is >= 0x80 and <= 0xBF;
                bytes[k] = b;
            }

            if (!valid || System.Text.Rune.DecodeFromUtf8(bytes[..length], out var rune, out var consumed) != System.Buffers.OperationStatus.Done || consumed != length)
            {
                continue;
            }

            builder ??= document.Edit();
            builder.Append(text[copied..i]);
            builder.Append(encoded[..rune.EncodeToUtf16(encoded)]);
            i += length - 1;
            copied = i + 1;
        }

        builder?.Append(text[copied..]);
        return builder;
    }

    private static bool TryToByte(char c, out byte value)
    {
        if (c is >= '\u0080' and <= '\u00FF')
        {
            value = (byte)c; // Latin-1, and the C1 controls Windows-1252 leaves undefined
            return true;
        }

        return Windows1252Specials.TryGetValue(c, out value);
    }

    private static Dictionary<char, byte> BuildSpecials()
    {
        const string specials = "€\0‚ƒ„…†‡ˆ‰Š‹Œ\0Ž\0\0‘’“”•–—˜™š›œ\0žŸ";
        var map = new Dictionary<char, byte>();
        for (var i = 0; i < specials.Length; i++)
        {
            if (specials[i] != '\0') map[specials[i]] = (byte)(0x80 + i);
        }

        return map;
    }

    /// <summary>The damage this operation undoes: UTF-8 bytes read as Windows-1252 (used by the generator).</summary>
    public static string Garble(string text)
    {
        var reverse = Windows1252Specials.ToDictionary(p => p.Value, p => p.Key);
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            builder.Append(b < 0x80 || b >= 0xA0 ? (char)b : reverse.TryGetValue(b, out var c) ? c : (char)b);
        }

        return builder.ToString();
    }
}
