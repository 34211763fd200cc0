using System.Globalization;
using System.Text.Json;
using Evolve.Core.Transcripts;

namespace Evolve.Storage;

/// <summary>Calls, tokens and money the agents spent in a campaign, from its transcripts.</summary>
public sealed record TranscriptTotals(long Calls, long FailedCalls, long InputTokens, long OutputTokens, double CostUsd);

/// <summary>
/// Agent transcripts in the campaign database, one row per (round, agent, call): a retried activity replaces its own
/// record in one statement, so a crash leaves the old record or the new one.
/// </summary>
public sealed class SqliteTranscriptStore(SqliteDatabase database, string campaignId) : ITranscriptStore
{
    private const string Columns = "agent, round, call, model, messages, reply, input_tokens, output_tokens, cost_usd, latency_ms, at, error";

    public string CampaignId { get; } = campaignId;

    public async Task RecordAsync(AgentTranscript transcript, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        ArgumentException.ThrowIfNullOrWhiteSpace(transcript.Agent);
        if (transcript.Call < 0) throw new ArgumentOutOfRangeException(nameof(transcript), transcript.Call, "A transcript's call number starts at 0.");
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            $"INSERT INTO transcripts (campaign_id, {Columns}) VALUES ($c, $agent, $round, $call, $model, $messages, $reply, $in, $out, $cost, $latency, $at, $error) " +
            "ON CONFLICT (campaign_id, round, agent, call) DO UPDATE SET model = excluded.model, messages = excluded.messages, " +
            "reply = excluded.reply, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cost_usd = excluded.cost_usd, " +
            "latency_ms = excluded.latency_ms, at = excluded.at, error = excluded.error;");
        command.With("$c", CampaignId)
            .With("$agent", transcript.Agent)
            .With("$round", transcript.Round)
            .With("$call", transcript.Call)
            .With("$model", transcript.Model)
            .With("$messages", JsonSerializer.Serialize(transcript.Messages, NodeRows.Json))
            .With("$reply", transcript.Reply)
            .With("$in", transcript.InputTokens)
            .With("$out", transcript.OutputTokens)
            .With("$cost", transcript.CostUsd)
            .With("$latency", transcript.Latency.TotalMilliseconds)
            .With("$at", transcript.At.ToString("O", CultureInfo.InvariantCulture))
            .With("$error", transcript.Error);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The round's calls in the order the agents run: researcher, debugger, novelty, analyzer, judge; then by call.</summary>
    public async Task<IReadOnlyList<AgentTranscript>> ForRoundAsync(long round, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            $"SELECT {Columns} FROM transcripts WHERE campaign_id = $c AND round = $r " +
            "ORDER BY CASE agent WHEN 'researcher' THEN 0 WHEN 'debugger' THEN 1 WHEN 'novelty' THEN 2 WHEN 'analyzer' THEN 3 WHEN 'judge' THEN 4 ELSE 5 END, agent, call;");
        command.With("$c", CampaignId).With("$r", round);
        return await NodeRows.ReadAllAsync(command, Read, cancellationToken);
    }

    public async Task<TranscriptTotals> TotalsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT COUNT(*), IFNULL(SUM(error IS NOT NULL), 0), IFNULL(SUM(input_tokens), 0), IFNULL(SUM(output_tokens), 0), IFNULL(SUM(cost_usd), 0) " +
            "FROM transcripts WHERE campaign_id = $c;");
        command.With("$c", CampaignId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new TranscriptTotals(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetDouble(4));
    }

    private static AgentTranscript Read(Microsoft.Data.Sqlite.SqliteDataReader r) => new(
        r.GetString(0),
        r.GetInt64(1),
        r.GetInt32(2),
        r.GetString(3),
        JsonSerializer.Deserialize<List<TranscriptMessage>>(r.GetString(4), NodeRows.Json) ?? [],
        r.GetString(5),
        r.GetInt64(6),
        r.GetInt64(7),
        r.GetDouble(8),
        TimeSpan.FromMilliseconds(r.GetDouble(9)),
        DateTimeOffset.Parse(r.GetString(10), CultureInfo.InvariantCulture),
        r.IsDBNull(11) ? null : r.GetString(11));
}
