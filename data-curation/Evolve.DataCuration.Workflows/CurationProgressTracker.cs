namespace Evolve.DataCuration.Workflows;

/// <summary>
/// Progress of the curation phase, computed from activity results and workflow time only (so replay gives
/// the same figures): shards done and failed, documents per second, bytes saved, and an ETA from the
/// average time per finished shard.
/// </summary>
internal sealed class CurationProgressTracker(int total)
{
    private DateTime _started;
    private int _done, _failed;
    private long _documents, _bytesSaved;

    public void Start(DateTime now) => _started = now;

    public void Add(ShardCurationResult result)
    {
        _done++;
        if (!result.IsOk) _failed++;
        _documents += result.DocumentsIn;
        _bytesSaved += result.BytesIn - result.BytesOut;
    }

    public DataCurationStatus Phase(string phase, int done) => new(phase, done, _failed, total, _documents, 0, _bytesSaved, null);

    public DataCurationStatus Status(DateTime now)
    {
        var elapsed = Math.Max(0, (now - _started).TotalSeconds);
        var rate = elapsed > 0 ? _documents / elapsed : 0;
        double? eta = _done > 0 ? elapsed / _done * (total - _done) : null;
        return new DataCurationStatus("curating", _done, _failed, total, _documents, rate, _bytesSaved, eta);
    }
}
