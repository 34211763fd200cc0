using System.Text;

namespace Evolve.Engineering.Sandbox;

/// <summary>
/// Drains a stream to its end keeping only the last bytes, so a candidate printing gigabytes (or binary garbage)
/// costs bounded memory and still leaves a readable tail.
/// </summary>
internal sealed class StreamTail
{
    private readonly byte[] _ring;
    private long _total;

    public StreamTail(int capacity) => _ring = new byte[Math.Max(capacity, 16)];

    public long TotalBytes => Interlocked.Read(ref _total);

    public async Task DrainAsync(Stream stream)
    {
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_ring)
                {
                    for (var i = 0; i < read; i++) _ring[(_total + i) % _ring.Length] = buffer[i];
                    _total += read;
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke because the process was killed: what was read so far is the tail.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The tail as text with control characters and invalid UTF-8 replaced, safe to log and store.</summary>
    public string Text()
    {
        byte[] bytes;
        lock (_ring)
        {
            var count = (int)Math.Min(_total, _ring.Length);
            bytes = new byte[count];
            var start = _total - count;
            for (var i = 0; i < count; i++) bytes[i] = _ring[(start + i) % _ring.Length];
        }
        var text = Encoding.UTF8.GetString(bytes);
        var builder = new StringBuilder(text.Length + 16);
        if (_total > bytes.Length) builder.Append($"[… {_total - bytes.Length} earlier bytes dropped]\n");
        foreach (var c in text)
        {
            builder.Append(c is '\n' or '\t' || !char.IsControl(c) ? c : '\uFFFD');
        }
        return builder.ToString();
    }
}
