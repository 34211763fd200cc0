using System.Globalization;
using System.Text.Json;
using Evolve.Core;
using Evolve.Sampling;
using Microsoft.Data.Sqlite;

namespace Evolve.Storage;

/// <summary>
/// The sample step of a round, made idempotent: the first draw for a round is recorded together with the visits it
/// adds and the sampler's new state, all in one transaction; any later call for the same round returns the recorded
/// draw and changes nothing. Draws are serialised (one write lock), so parallel rounds never share a random stream.
/// </summary>
public sealed class SamplingCoordinator : IDisposable
{
    private const int ObservationBatch = 2_000;
    private readonly SqliteDatabase _database;
    private readonly SqliteNodeStore _nodes;
    private readonly SqliteStateStore _states;
    private readonly SamplerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private INodeSampler? _sampler;
    private long _samplerRevision = -1;
    private SqliteConnection? _connection;

    public SamplingCoordinator(SqliteDatabase database, SqliteNodeStore nodes, SqliteStateStore states, SamplerOptions options, TimeProvider timeProvider)
    {
        options.EnsureValid();
        (_database, _nodes, _states, _options, _timeProvider) = (database, nodes, states, options, timeProvider);
        StateKey = "sampler:" + SamplerFactory.Create(options).Kind;
    }

    /// <summary>Key of the sampler's state in <see cref="SqliteStateStore"/> (one per sampler kind).</summary>
    public string StateKey { get; }

    /// <summary>The draw recorded for <paramref name="round"/>, if any.</summary>
    public async Task<SampleResult?> GetDrawAsync(long round, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await RecordedDrawAsync(connection, null, round, cancellationToken);
    }

    public async Task<SampleResult> DrawAsync(long round, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await ConnectionAsync(cancellationToken);
            // After a restart, catch up outside the write lock: observing a large campaign takes a while.
            if (_sampler is null) await PrepareSamplerAsync(connection, null, cancellationToken);

            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                if (await RecordedDrawAsync(connection, transaction, round, cancellationToken) is { } recorded) return recorded; // a retry of this round
                var sampler = await PrepareSamplerAsync(connection, transaction, cancellationToken);
                var sizes = sampler.PoolSizes;
                var request = new SamplingRequest(
                    round,
                    await _nodes.TopAsync(connection, transaction, sizes.CandidateCount, null, cancellationToken),
                    await _nodes.RecentFailuresAsync(connection, transaction, sizes.FailureCount, null, cancellationToken));
                var result = sampler.Sample(request);

                await _nodes.IncrementVisitsAsync(connection, transaction, result.VisitedNodeIds, cancellationToken);
                await using (var insert = connection.Command(
                    "INSERT INTO sampler_draws (campaign_id, round, sampler, result, created_at) VALUES ($c, $r, $s, $j, $t);", transaction))
                {
                    insert.With("$c", _nodes.CampaignId).With("$r", round).With("$s", sampler.Kind)
                        .With("$j", JsonSerializer.Serialize(result, NodeRows.Json))
                        .With("$t", _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
                var stored = await _states.SetAsync(connection, transaction, StateKey, sampler.SaveState(), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                _samplerRevision = stored.Revision;
                return result;
            }
            catch
            {
                // The in-memory sampler may have advanced past what was stored: rebuild it from the database next time.
                _sampler = null;
                _samplerRevision = -1;
                await ResetConnectionAsync();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// One connection kept open for all draws (they are serialised anyway), which saves reopening and re-preparing it per
    /// round. The workflow history, not this database, is what makes a draw durable: once the sample activity has
    /// completed, its recorded result is replayed and DrawAsync is never asked again. Losing the last draws to a power
    /// cut only repeats a random stream, so draw transactions skip the fsync that node commits need.
    /// </summary>
    private async Task<SqliteConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null) return _connection;
        var connection = await _database.OpenAsync(cancellationToken);
        await using (var relaxed = connection.Command("PRAGMA synchronous=NORMAL;"))
            await relaxed.ExecuteNonQueryAsync(cancellationToken);
        return _connection = connection;
    }

    private async Task ResetConnectionAsync()
    {
        if (_connection is null) return;
        await _connection.DisposeAsync();
        _connection = null;
    }

    /// <summary>The sampler as stored (restored only when another writer changed it), with every committed node observed.</summary>
    private async Task<INodeSampler> PrepareSamplerAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var revision = await SqliteStateStore.RevisionAsync(connection, transaction, StateKey, cancellationToken);
        if (_sampler is null || revision != _samplerRevision)
        {
            var sampler = SamplerFactory.Create(_options);
            if (revision > 0)
            {
                var state = await SqliteStateStore.GetAsync(connection, transaction, StateKey, cancellationToken);
                sampler.RestoreState(state!.Json);
            }
            _sampler = sampler;
            _samplerRevision = revision;
        }

        if (_sampler.NeedsObservations)
        {
            while (true)
            {
                var batch = await _nodes.CommittedAfterAsync(connection, transaction, _sampler.ObservedThroughSequence, ObservationBatch, cancellationToken);
                foreach (var node in batch) _sampler.Observe(node);
                if (batch.Count < ObservationBatch) break;
            }
        }
        return _sampler;
    }

    private async Task<SampleResult?> RecordedDrawAsync(SqliteConnection connection, SqliteTransaction? transaction, long round, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT result FROM sampler_draws WHERE campaign_id = $c AND round = $r;", transaction);
        command.With("$c", _nodes.CampaignId).With("$r", round);
        return await command.ExecuteScalarAsync(cancellationToken) is string json
            ? JsonSerializer.Deserialize<SampleResult>(json, NodeRows.Json)
            : null;
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
        _gate.Dispose();
    }
}
