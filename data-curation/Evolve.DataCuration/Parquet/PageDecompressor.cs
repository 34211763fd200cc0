using System.IO.Compression;
using Parquet.Meta;
using ZstdSharp;

namespace Evolve.DataCuration.Parquet;

/// <summary>
/// Decompresses Parquet page bodies straight into a caller's buffer, for the codecs shards use in practice.
/// One instance per reader: it keeps the Zstandard context between pages.
/// </summary>
internal sealed class PageDecompressor : IDisposable
{
    private Decompressor? zstd;

    public static bool Supports(CompressionCodec codec) =>
        codec is CompressionCodec.UNCOMPRESSED or CompressionCodec.SNAPPY or CompressionCodec.GZIP or CompressionCodec.ZSTD;

    /// <summary>
    /// Fills exactly <paramref name="destination"/> (the page header's uncompressed size); throws
    /// <see cref="InvalidDataException"/> when the compressed bytes are corrupt or decompress to another size.
    /// </summary>
    public void Decompress(CompressionCodec codec, ArraySegment<byte> source, Span<byte> destination)
    {
        int written;
        try
        {
            written = codec switch
            {
                CompressionCodec.UNCOMPRESSED => CopyUncompressed(source, destination),
                CompressionCodec.SNAPPY => DecompressSnappy(source, destination),
                CompressionCodec.GZIP => DecompressGzip(source, destination),
                CompressionCodec.ZSTD => (zstd ??= new Decompressor()).Unwrap(source, destination),
                _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "unsupported codec"),
            };
        }
        catch (Exception e) when (e is not (InvalidDataException or ArgumentOutOfRangeException { ParamName: nameof(codec) }))
        {
            // The codec libraries report corrupt input in their own ways (ZstdException, index errors, ...).
            throw new InvalidDataException($"{codec} data is corrupt ({e.Message})", e);
        }

        if (written != destination.Length) throw SizeMismatch(codec, written, destination.Length);
    }

    private static int CopyUncompressed(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length != destination.Length) throw SizeMismatch(CompressionCodec.UNCOMPRESSED, source.Length, destination.Length);
        source.CopyTo(destination);
        return source.Length;
    }

    private static int DecompressSnappy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        // Snappy states its length up front: check it before decompressing into a buffer of another size.
        var length = Snappier.Snappy.GetUncompressedLength(source);
        if (length != destination.Length) throw SizeMismatch(CompressionCodec.SNAPPY, length, destination.Length);
        return Snappier.Snappy.Decompress(source, destination);
    }

    private static int DecompressGzip(ArraySegment<byte> source, Span<byte> destination)
    {
        using var gzip = new GZipStream(new MemoryStream(source.Array!, source.Offset, source.Count, writable: false), CompressionMode.Decompress);
        var written = gzip.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        Span<byte> extra = stackalloc byte[1];
        return gzip.Read(extra) == 0 ? written : written + 1; // more data than the header says is as wrong as less
    }

    private static InvalidDataException SizeMismatch(CompressionCodec codec, int actual, int expected) =>
        new($"{codec} page body holds {actual} bytes, its header says {expected}");

    public void Dispose() => zstd?.Dispose();
}
