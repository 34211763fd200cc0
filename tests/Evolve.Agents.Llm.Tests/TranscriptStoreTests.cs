using Evolve.Core.Transcripts;
using Evolve.Storage;

namespace Evolve.Agents.Llm.Tests;

public sealed class TranscriptStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "evolve-transcripts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static AgentTranscript Transcript(string agent, long round, int call, string reply, string? error = null) =>
        new(agent, round, call, "m1", [new TranscriptMessage("system", "be brief"), new TranscriptMessage("user", "line one\nline two")],
            reply, 120, 30, 0.00048, TimeSpan.FromMilliseconds(1534), new DateTimeOffset(2026, 11, 22, 17, 0, 0, TimeSpan.Zero), error);

    [Fact]
    public async Task Transcripts_are_read_back_by_round_in_agent_order_and_a_retried_call_replaces_its_record()
    {
        using (var storage = await CampaignStorage.OpenAsync(_directory, "c1"))
        {
            await storage.Transcripts.RecordAsync(Transcript("analyzer", 4, 0, "{}"), CancellationToken.None);
            await storage.Transcripts.RecordAsync(Transcript("researcher", 4, 1, "second"), CancellationToken.None);
            await storage.Transcripts.RecordAsync(Transcript("researcher", 4, 0, "first", error: "garbage"), CancellationToken.None);
            await storage.Transcripts.RecordAsync(Transcript("researcher", 5, 0, "other round"), CancellationToken.None);
            await storage.Transcripts.RecordAsync(Transcript("researcher", 4, 0, "first, retried"), CancellationToken.None);
            storage.Database.ReleasePooledConnections();
        }

        using var reopened = await CampaignStorage.OpenAsync(_directory, "c1");
        var round = await reopened.Transcripts.ForRoundAsync(4, CancellationToken.None);
        Assert.Equal([("researcher", 0), ("researcher", 1), ("analyzer", 0)], round.Select(t => (t.Agent, t.Call)));
        Assert.Equal("first, retried", round[0].Reply);
        Assert.Null(round[0].Error);
        Assert.Equal(Transcript("x", 0, 0, "").Messages, round[0].Messages);
        Assert.Equal(TimeSpan.FromMilliseconds(1534), round[0].Latency);
        Assert.Equal(0.00048, round[0].CostUsd, 12);
        var totals = await reopened.Transcripts.TotalsAsync();
        Assert.Equal(new TranscriptTotals(4, 0, 480, 120, totals.CostUsd), totals);
        Assert.Equal(4 * 0.00048, totals.CostUsd, 12);
        Assert.Empty(await (await CampaignStorage.OpenAsync(_directory, "other-campaign")).Transcripts.ForRoundAsync(4, CancellationToken.None));
        reopened.Database.ReleasePooledConnections();
    }

    [Fact]
    public void The_formatter_shows_accounting_errors_messages_and_reply()
    {
        var text = TranscriptFormatter.Format([Transcript("researcher", 4, 0, "<name>x</name>", error: "the reply has no <motivation>")]);

        Assert.Contains("=== researcher call 0 · m1 · 120 in / 30 out tokens · $0.00048 · 1.53 s", text, StringComparison.Ordinal);
        Assert.Contains("!!! the reply has no <motivation>", text, StringComparison.Ordinal);
        Assert.Contains("--- user\n    line one\n    line two\n", text, StringComparison.Ordinal);
        Assert.Contains("--- reply\n    <name>x</name>\n", text, StringComparison.Ordinal);
        Assert.Contains("Total: 1 call, 120 input + 30 output tokens", text, StringComparison.Ordinal);
        Assert.Contains("No model calls", TranscriptFormatter.Format([]), StringComparison.Ordinal);
        Assert.Contains("characters not shown", TranscriptFormatter.Format([Transcript("a", 1, 0, new string('x', 500))], maxCharsPerMessage: 100), StringComparison.Ordinal);
    }
}
