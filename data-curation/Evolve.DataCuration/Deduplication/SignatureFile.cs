using Evolve.DataCuration.Processing;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Deduplication;

/// <summary>
/// The per-shard result of the signature pass: for every row an exact key, a MinHash signature and its
/// LSH band keys (or nothing, for null text); the band keys are hashed here, in parallel, so the
/// sequential plan only looks them up. Binary, written atomically; its header names the parameters and the
/// input it was computed from, so a stale file is recognised and recomputed.
/// </summary>
public sealed class ShardSignatures
{
    private const int Magic = 0x32474953; // "SIG2"

    public ShardSignatures(string shard, string parameters, string inputFingerprint, int signatureLength, int bands, bool[] present, ulong[] exactKeys,
        uint[] signatures, ulong[] bandKeys)
    {
        Bands = bands;
        BandKeys = bandKeys;
        Shard = shard;
        Parameters = parameters;
        InputFingerprint = inputFingerprint;
        SignatureLength = signatureLength;
        Present = present;
        ExactKeys = exactKeys;
        Signatures = signatures;
    }

    public string Shard { get; }

    public string Parameters { get; }

    public string InputFingerprint { get; }

    public int SignatureLength { get; }

    public int RowCount => Present.Length;

    public bool[] Present { get; }

    public ulong[] ExactKeys { get; }

    /// <summary>Row-major: row r's signature is at [r * SignatureLength, (r + 1) * SignatureLength).</summary>
    public uint[] Signatures { get; }

    public ReadOnlySpan<uint> SignatureOf(int row) => Signatures.AsSpan(row * SignatureLength, SignatureLength);

    public int Bands { get; }

    /// <summary>Row-major: row r's LSH band keys are at [r * Bands, (r + 1) * Bands).</summary>
    public ulong[] BandKeys { get; }

    public ReadOnlySpan<ulong> BandKeysOf(int row) => BandKeys.AsSpan(row * Bands, Bands);

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        await AtomicFile.WriteAsync(path, (stream, _) =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(Shard);
            writer.Write(Parameters);
            writer.Write(InputFingerprint);
            writer.Write(SignatureLength);
            writer.Write(Bands);
            writer.Write(RowCount);
            for (var r = 0; r < RowCount; r++)
            {
                writer.Write(Present[r]);
                writer.Write(ExactKeys[r]);
            }

            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Signatures.AsSpan()));
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(BandKeys.AsSpan()));
            return Task.CompletedTask;
        }, cancellationToken);
    }

    /// <summary>Reads the header only; null when the file is missing or unreadable.</summary>
    public static (string Parameters, string InputFingerprint)? TryReadHeader(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadInt32() != Magic) return null;
            reader.ReadString();
            return (reader.ReadString(), reader.ReadString());
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static ShardSignatures Read(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadInt32() != Magic) throw new InvalidDataException($"'{path}' is not a signature file; delete it to recompute.");
        var shard = reader.ReadString();
        var parameters = reader.ReadString();
        var fingerprint = reader.ReadString();
        var length = reader.ReadInt32();
        var bands = reader.ReadInt32();
        var rows = reader.ReadInt32();
        var present = new bool[rows];
        var exact = new ulong[rows];
        for (var r = 0; r < rows; r++)
        {
            present[r] = reader.ReadBoolean();
            exact[r] = reader.ReadUInt64();
        }

        var signatures = new uint[rows * length];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(signatures.AsSpan()));
        var bandKeys = new ulong[rows * bands];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(bandKeys.AsSpan()));
        return new ShardSignatures(shard, parameters, fingerprint, length, bands, present, exact, signatures, bandKeys);
    }
}
