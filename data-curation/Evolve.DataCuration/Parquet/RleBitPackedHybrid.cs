using System.Buffers.Binary;

namespace Evolve.DataCuration.Parquet;

/// <summary>
/// Decodes Parquet's RLE/bit-packed hybrid encoding (the encoding of definition levels): runs of one repeated
/// value and groups of eight bit-packed values, least significant bit first. Levels of up to 8 bits only, which
/// covers every nesting depth a flat text column can have.
/// </summary>
internal static class RleBitPackedHybrid
{
    public const int MaxBitWidth = 8;

    /// <summary>Bits per level for levels 0..<paramref name="maxLevel"/>.</summary>
    public static int BitWidth(int maxLevel) => maxLevel == 0 ? 0 : 32 - int.LeadingZeroCount(maxLevel);

    /// <summary>Fills all of <paramref name="levels"/>; throws <see cref="InvalidDataException"/> when the data ends first or holds a level above <paramref name="maxLevel"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> data, int maxLevel, Span<byte> levels)
    {
        var bitWidth = BitWidth(maxLevel);
        if (bitWidth is < 1 or > MaxBitWidth) throw new ArgumentOutOfRangeException(nameof(maxLevel), maxLevel, "levels need 1 to 8 bits");
        var position = 0;
        var filled = 0;
        while (filled < levels.Length)
        {
            var header = ReadVarint(data, ref position);
            if ((header & 1) == 0)
            {
                // Run-length: the count, then the value in ceil(bitWidth / 8) = 1 byte.
                var count = (int)Math.Min(header >> 1, (uint)(levels.Length - filled));
                if (position >= data.Length) throw Ended(filled, levels.Length);
                var value = data[position++];
                if (value > maxLevel) throw AboveMaximum(value, maxLevel);
                levels.Slice(filled, count).Fill(value);
                filled += count;
            }
            else
            {
                // Bit-packed: (header >> 1) groups of eight values, bitWidth bytes per group. The last group may be
                // padding past the page's values, and writers may leave its unused bytes out.
                var groupBytes = (long)(header >> 1) * bitWidth;
                var available = (int)Math.Min(groupBytes, data.Length - position);
                var packed = data.Slice(position, available);
                var count = (int)Math.Min((long)(header >> 1) * 8, levels.Length - filled);
                if ((long)count * bitWidth > (long)available * 8) throw Ended(filled, levels.Length);
                var mask = (1 << bitWidth) - 1;
                for (var i = 0; i < count; i++)
                {
                    var bit = i * bitWidth;
                    var b = bit >> 3;
                    var word = b + 1 < packed.Length ? BinaryPrimitives.ReadUInt16LittleEndian(packed[b..]) : packed[b];
                    var value = (word >> (bit & 7)) & mask;
                    if (value > maxLevel) throw AboveMaximum(value, maxLevel);
                    levels[filled + i] = (byte)value;
                }

                filled += count;
                position += available;
            }
        }
    }

    private static uint ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= data.Length) throw new InvalidDataException("definition levels end inside a run header");
            var b = data[position++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }

        throw new InvalidDataException("definition levels hold a run header longer than 5 bytes");
    }

    private static InvalidDataException Ended(int filled, int expected) =>
        new($"definition levels end after {filled} of {expected} values");

    private static InvalidDataException AboveMaximum(int value, int maxLevel) =>
        new($"definition level {value} above the column's maximum {maxLevel}");
}
