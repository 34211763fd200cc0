using System.Text;
using Evolve.DataCuration.Cleaning;
using Evolve.DataCuration.Deduplication;
using Evolve.DataCuration.Parquet;
using Microsoft.Extensions.Logging;
using Evolve.Core.IO;

namespace Evolve.DataCuration.Processing;

/// <summary>The result of curating one shard; <see cref="Reused"/> when a finished output was found and kept.</summary>
public sealed record ShardOutcome(ShardRecord Record, bool Reused);

/// <summary>
/// Curates one shard: the unit a ShardCurationActivity runs. Idempotent and restartable: the output is
/// written to "NAME.tmp" and renamed into place, then its manifest entry is written; a shard whose
/// entry, output file and strategy/plan hashes all match is returned as is. The input is only read.
/// Any failure (bad input, or an exception from a candidate strategy) becomes a failed entry with the
/// error; only cancellation propagates.
/// </summary>
public sealed class ShardCurator(ShardFormatOptions format, TimeProvider time, ILogger<ShardCurator> logger)
{
    public async Task<ShardOutcome> CurateAsync(string inputPath, string outputDirectory, ICleaningStrategy strategy, DuplicatePlan? plan,
        CancellationToken cancellationToken)
    {
        if (strategy.Deduplication is not null && plan is null)
        {
            throw new ArgumentException(
                $"Strategy '{strategy.Name}' removes duplicates, so it needs the run's duplicate plan (SignatureBuilder, then DuplicatePlanner).",
                nameof(plan));
        }

        var shard = Path.GetFileName(inputPath);
        var output = Path.Combine(outputDirectory, shard);
        var store = new ShardRecordStore(outputDirectory);
        var fingerprint = File.Exists(inputPath) ? FileFingerprint.Of(inputPath) : null;
        if (store.TryRead(shard) is { IsOk: true } done && done.StrategyHash == strategy.Hash && done.PlanHash == plan?.HashFor(shard) &&
            done.InputFingerprint == fingerprint && File.Exists(output) && new FileInfo(output).Length == done.OutputFileBytes)
        {
            return new ShardOutcome(done, Reused: true);
        }

        var started = time.GetTimestamp();
        AtomicFile.DeleteLeftovers(output); // of an attempt that was killed mid-write; this activity owns the shard
        var temp = AtomicFile.TempPathFor(output);
        ShardRecord record;
        try
        {
            Directory.CreateDirectory(outputDirectory);
            var counts = await CleanAsync(inputPath, temp, shard, strategy, plan, cancellationToken);
            AtomicFile.Commit(temp, output);
            record = counts with
            {
                StrategyHash = strategy.Hash,
                PlanHash = plan?.HashFor(shard),
                InputFingerprint = fingerprint,
                DurationSeconds = time.GetElapsedTime(started).TotalSeconds,
                OutputFileBytes = new FileInfo(output).Length,
                CompletedAt = time.GetUtcNow(),
            };
        }
        catch (OperationCanceledException)
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
        catch (Exception e)
        {
            AtomicFile.TryDelete(temp);
            AtomicFile.TryDelete(output); // never leave an output that the manifest does not vouch for
            var error = e is InvalidShardException ? e.Message : $"Curating '{shard}' failed: {e.GetType().Name}: {e.Message}";
            logger.LogWarning("Shard {Shard} failed: {Error}", shard, error);
            record = new ShardRecord
            {
                Shard = shard,
                Status = ShardRecord.Failed,
                Error = error,
                StrategyHash = strategy.Hash,
                PlanHash = plan?.HashFor(shard),
                InputFingerprint = fingerprint,
                DurationSeconds = time.GetElapsedTime(started).TotalSeconds,
                CompletedAt = time.GetUtcNow(),
            };
        }

        await store.WriteAsync(record, cancellationToken);
        return new ShardOutcome(record, Reused: false);
    }

    private async Task<ShardRecord> CleanAsync(string inputPath, string temp, string shard, ICleaningStrategy strategy, DuplicatePlan? plan,
        CancellationToken cancellationToken)
    {
        var statistics = CleaningPipeline.CreateStatistics(strategy);
        var duplicates = plan is null ? [] : plan.RowsFor(shard).ToArray();
        long documentsIn = 0, documentsOut = 0, bytesIn = 0, bytesOut = 0, nullDropped = 0, invalidDropped = 0;
        var rowOffset = 0;
        int rowGroups;
        var document = new CleaningDocument(""); // one per shard: its edit buffers are reused row after row
        using var cleaned = new TextArena(); // its blocks go back to the pool after the writer is done with them
        await using (var reader = await ShardReader.OpenAsync(inputPath, format, cancellationToken))
        await using (var writer = await ShardWriter.CreateAsync(temp, reader.Schema, format, cancellationToken))
        {
            rowGroups = reader.RowGroupCount;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = await reader.ReadRowGroupAsync(g, cancellationToken);
                var texts = batch.Texts;
                var rowCount = batch.RowCount;
                var kept = new int[rowCount];
                var keptCount = 0;
                for (var r = 0; r < rowCount; r++)
                {
                    documentsIn++;
                    var text = texts[r];
                    if (text is null)
                    {
                        nullDropped++;
                        continue;
                    }

                    var textBytes = Encoding.UTF8.GetByteCount(text);
                    bytesIn += textBytes;
                    if (TextValidation.IsInvalid(text))
                    {
                        if (format.InvalidText == InvalidTextPolicy.FailShard) throw TextValidation.InvalidUtf8(shard, rowOffset + r, g, format);
                        invalidDropped++;
                        continue;
                    }

                    document.Reset(text, duplicates.AsSpan().BinarySearch(rowOffset + r) >= 0);
                    CleaningPipeline.Apply(strategy, document, statistics);
                    if (document.IsRemoved) continue;
                    if (ReferenceEquals(document.TextIfString, text))
                    {
                        bytesOut += textBytes;
                    }
                    else
                    {
                        if (document.TextIfString is { } replacement) texts[r] = replacement; // set by a strategy's own operation
                        else batch.ReplaceText(r, cleaned.Add(document.Span));
                        bytesOut += Encoding.UTF8.GetByteCount(document.Span);
                    }

                    kept[keptCount++] = r;
                }

                documentsOut += keptCount;
                batch.Retain(kept.AsSpan(0, keptCount));
                await writer.WriteAsync(batch, cancellationToken);
                cleaned.Clear();
                rowOffset += rowCount;
            }

            await writer.CompleteAsync();
        }

        return new ShardRecord
        {
            Shard = shard,
            Status = ShardRecord.Ok,
            StrategyHash = strategy.Hash,
            DocumentsIn = documentsIn,
            DocumentsOut = documentsOut,
            BytesIn = bytesIn,
            BytesOut = bytesOut,
            NullTextDropped = nullDropped,
            InvalidTextDropped = invalidDropped,
            RowGroups = rowGroups,
            Operations = statistics.Select(s => new OperationRecord(s.Operation, s.Removals, s.Edits, s.CharactersRemoved)).ToList(),
        };
    }
}
