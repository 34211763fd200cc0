namespace Evolve.DataCuration.Parquet;

/// <summary>
/// Reads the Thrift compact protocol from a span, as much of it as Parquet page headers need: field headers,
/// integers, and skipping whatever a caller does not know (statistics, newer fields) without understanding it.
/// Every read is bounds-checked; malformed input throws <see cref="InvalidDataException"/>, which the caller
/// turns into an error naming the shard.
/// </summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> data)
{
    /// <summary>Statistics hold a few levels at most; a deeper nesting is garbage, and recursing on it would overflow the stack.</summary>
    private const int MaxDepth = 32;

    private readonly ReadOnlySpan<byte> data = data;

    public int Position { get; private set; }

    /// <summary>
    /// The next field of the current struct, or false at its end (the stop byte). <paramref name="lastFieldId"/> is the
    /// struct's previous field id, which compact field headers are relative to; each struct keeps its own.
    /// </summary>
    public bool NextField(ref short lastFieldId, out short fieldId, out ThriftType type)
    {
        var header = ReadByte();
        if (header == 0)
        {
            fieldId = 0;
            type = ThriftType.Stop;
            return false;
        }

        type = (ThriftType)(header & 0x0F);
        if (type is < ThriftType.BooleanTrue or > ThriftType.Struct) throw new InvalidDataException($"unknown Thrift type {(int)type} at byte {Position - 1}");
        var delta = header >> 4;
        // Ids out of the short range are garbage, but then they match no known field and are skipped like any unknown one.
        fieldId = delta != 0 ? (short)(lastFieldId + delta) : (short)ZigZag(ReadVarint(maxBytes: 3));
        lastFieldId = fieldId;
        return true;
    }

    public int ReadI32(ThriftType type)
    {
        Expect(type, ThriftType.I32);
        var value = ZigZag(ReadVarint(maxBytes: 5));
        if (value is < int.MinValue or > int.MaxValue) throw new InvalidDataException($"Thrift i32 value {value} out of range");
        return (int)value;
    }

    /// <summary>A boolean field carries its value in its type.</summary>
    public static bool ReadBool(ThriftType type) => type switch
    {
        ThriftType.BooleanTrue => true,
        ThriftType.BooleanFalse => false,
        _ => throw new InvalidDataException($"expected a boolean field, found Thrift type {type}"),
    };

    /// <summary>Skips a field's value (any type, nested structs and collections included).</summary>
    public void Skip(ThriftType type) => Skip(type, inCollection: false, depth: 0);

    private void Skip(ThriftType type, bool inCollection, int depth)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"Thrift structures nested deeper than {MaxDepth} levels");
        switch (type)
        {
            case ThriftType.BooleanTrue or ThriftType.BooleanFalse:
                // A boolean field's value is its type; a boolean in a list or map takes a byte.
                if (inCollection) Advance(1);
                break;
            case ThriftType.Byte:
                Advance(1);
                break;
            case ThriftType.I16 or ThriftType.I32 or ThriftType.I64:
                ReadVarint(maxBytes: 10);
                break;
            case ThriftType.Double:
                Advance(8);
                break;
            case ThriftType.Binary:
                Advance(ReadLength());
                break;
            case ThriftType.List or ThriftType.Set:
            {
                var header = ReadByte();
                var count = header >> 4 == 15 ? ReadLength() : header >> 4;
                var element = (ThriftType)(header & 0x0F);
                for (var i = 0; i < count; i++) Skip(element, inCollection: true, depth + 1);
                break;
            }
            case ThriftType.Map:
            {
                var count = ReadLength();
                if (count == 0) break;
                var types = ReadByte();
                for (var i = 0; i < count; i++)
                {
                    Skip((ThriftType)(types >> 4), inCollection: true, depth + 1);
                    Skip((ThriftType)(types & 0x0F), inCollection: true, depth + 1);
                }

                break;
            }
            case ThriftType.Struct:
            {
                short last = 0;
                while (NextField(ref last, out _, out var fieldType)) Skip(fieldType, inCollection: false, depth + 1);
                break;
            }
            default:
                throw new InvalidDataException($"unknown Thrift type {(int)type} at byte {Position}");
        }
    }

    private static void Expect(ThriftType actual, ThriftType expected)
    {
        if (actual != expected) throw new InvalidDataException($"expected a Thrift {expected} field, found {actual}");
    }

    private int ReadLength()
    {
        var length = ReadVarint(maxBytes: 5);
        if (length > int.MaxValue) throw new InvalidDataException($"Thrift length {length} out of range");
        return (int)length;
    }

    private ulong ReadVarint(int maxBytes)
    {
        ulong value = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }

        throw new InvalidDataException($"Thrift varint longer than {maxBytes} bytes at byte {Position}");
    }

    private static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private byte ReadByte()
    {
        if (Position >= data.Length) throw Truncated();
        return data[Position++];
    }

    private void Advance(int count)
    {
        if (count > data.Length - Position) throw Truncated();
        Position += count;
    }

    private readonly InvalidDataException Truncated() => new($"Thrift data ends early (after {data.Length} bytes)");
}

/// <summary>Type codes of the Thrift compact protocol (the low nibble of a field header).</summary>
internal enum ThriftType : byte
{
    Stop = 0,
    BooleanTrue = 1,
    BooleanFalse = 2,
    Byte = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    Double = 7,
    Binary = 8,
    List = 9,
    Set = 10,
    Map = 11,
    Struct = 12,
}
