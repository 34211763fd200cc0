using System.Diagnostics;

namespace Evolve.Agents.Llm.Tests;

public sealed class ReliabilityTests
{
    private const string GoodReply = "<name>n</name><motivation>m</motivation>\n<program>\npublic static class Packing { public static double[][] Construct() => []; }\n</program>";

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_then_the_call_succeeds()
    {
        await using var h = await LlmHarness.StartAsync();
        h.Server.Enqueue(FakeReply.Error(429, retryAfter: "1"), FakeReply.Chat(GoodReply));
        var clock = Stopwatch.StartNew();

        var outcome = await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 1), CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.FailureReason);
        Assert.Equal(2, h.Server.ChatRequests.Count);
        // The configured backoff is 10–50 ms; only honouring Retry-After makes the call wait about a second.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"waited only {clock.Elapsed}");
        var transcript = Assert.Single(await h.TranscriptsAsync(1));
        Assert.Null(transcript.Error);
        Assert.True(transcript.Latency >= TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public async Task A_persistent_503_ends_in_AgentUnavailableException_after_the_retry_budget_and_is_recorded()
    {
        await using var h = await LlmHarness.StartAsync();
        h.Server.Enqueue(FakeReply.Error(503), FakeReply.Error(503), FakeReply.Error(503), FakeReply.Chat(GoodReply));

        var error = await Assert.ThrowsAsync<AgentUnavailableException>(() =>
            h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 2), CancellationToken.None));

        Assert.Equal("researcher", error.Agent);
        Assert.Contains("HTTP 503", error.Reason, StringComparison.Ordinal);
        Assert.Contains("after 3 attempts", error.Reason, StringComparison.Ordinal);
        Assert.Equal(3, h.Server.ChatRequests.Count);
        Assert.Equal(1, h.Server.Pending);
        var transcript = Assert.Single(await h.TranscriptsAsync(2));
        Assert.Contains("HTTP 503", transcript.Error, StringComparison.Ordinal);
        Assert.Equal("", transcript.Reply);
    }

    [Fact]
    public async Task An_endpoint_that_refuses_connections_is_retried_then_reported_unavailable()
    {
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var h = await LlmHarness.StartAsync(o => o.Analyzer.Settings.Endpoint = $"http://127.0.0.1:{port}/v1");
        var candidate = LlmHarness.Node("n00002", "class X {}");

        var error = await Assert.ThrowsAsync<AgentUnavailableException>(() =>
            h.Get<IAnalyzer>().AnalyzeAsync(new AnalysisRequest("task", candidate, null, null, "sum_of_radii", 1), CancellationToken.None));

        Assert.Equal("analyzer", error.Agent);
        Assert.Contains("connection failed", error.Reason, StringComparison.Ordinal);
        Assert.Contains("after 3 attempts", error.Reason, StringComparison.Ordinal);
        Assert.Contains("connection failed", Assert.Single(await h.TranscriptsAsync(2)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_allowed_gives_up_at_once_and_passes_the_pause_on()
    {
        await using var h = await LlmHarness.StartAsync(o => o.Retry.MaxRetryAfterSeconds = 30);
        h.Server.Enqueue(FakeReply.Error(429, retryAfter: "600"));

        var error = await Assert.ThrowsAsync<AgentUnavailableException>(() =>
            h.Get<IDebugger>().RepairAsync(new DebugRequest("task", "class A {", ["(1,10): CS1513: } expected"], null, 1, 3), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(600), error.RetryAfter);
        Assert.Single(h.Server.ChatRequests);
    }

    [Fact]
    public async Task A_call_that_outlives_its_timeout_is_retried_then_reported_unavailable()
    {
        await using var h = await LlmHarness.StartAsync(o =>
        {
            o.Defaults.TimeoutSeconds = 2; // long enough for a loaded machine to deliver each request to the server
            o.Retry.MaxAttempts = 2;
        });
        h.Server.Enqueue(new FakeReply(Content: GoodReply, Delay: TimeSpan.FromSeconds(10)), new FakeReply(Content: GoodReply, Delay: TimeSpan.FromSeconds(10)));

        var error = await Assert.ThrowsAsync<AgentUnavailableException>(() =>
            h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 3), CancellationToken.None));

        Assert.Contains("timeout", error.Reason, StringComparison.Ordinal);
        Assert.Equal(2, h.Server.ChatRequests.Count);
    }

    [Fact]
    public async Task A_rejected_request_is_a_research_failure_but_a_bad_key_is_a_configuration_error()
    {
        await using var h = await LlmHarness.StartAsync();
        h.Server.Enqueue(new FakeReply(Status: 400, RawBody: "{\"error\":{\"message\":\"prompt is longer than the context window\"}}"), FakeReply.Error(401));
        var researcher = h.Get<IResearcher>();

        var tooLong = await researcher.ProposeAsync(LlmHarness.Request(round: 4), CancellationToken.None);
        var badKey = await Assert.ThrowsAsync<LlmRequestException>(() => researcher.ProposeAsync(LlmHarness.Request(round: 5), CancellationToken.None));

        Assert.False(tooLong.Succeeded);
        Assert.Contains("HTTP 400", tooLong.FailureReason, StringComparison.Ordinal);
        Assert.Contains("context window", tooLong.FailureReason, StringComparison.Ordinal);
        Assert.Equal(401, badKey.Status);
        Assert.Contains("api_key_env", badKey.Message, StringComparison.Ordinal);
        Assert.Equal(2, h.Server.ChatRequests.Count); // neither was retried
    }

    [Fact]
    public async Task Sampling_settings_and_extra_fields_travel_in_the_request_body()
    {
        await using var h = await LlmHarness.StartAsync(o =>
        {
            o.Defaults.Extra = new Dictionary<string, object?> { ["top_k"] = 40L, ["repetition_penalty"] = 1.05 };
            o.Researcher.Settings.Temperature = 0.2;
        });
        h.Server.Enqueue(FakeReply.Chat(GoodReply));

        await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 1), CancellationToken.None);

        var body = Assert.Single(h.Server.ChatRequests).Json;
        Assert.Equal(0.2, body["temperature"]!.GetValue<double>(), 6);
        Assert.Equal(0.9, body["top_p"]!.GetValue<double>(), 6);
        Assert.Equal(40, body["top_k"]!.GetValue<long>());
        Assert.Equal(1.05, body["repetition_penalty"]!.GetValue<double>(), 6);
        // OpenAI's current name for the reply limit; servers that only know max_tokens get it through extra.
        Assert.Equal(4096, body["max_completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_api_key_is_sent_as_bearer_but_never_stored_in_transcripts()
    {
        await using var h = await LlmHarness.StartAsync();
        h.Server.Enqueue(FakeReply.Chat(GoodReply), FakeReply.Error(503), FakeReply.Error(503), FakeReply.Error(503));

        await h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 1), CancellationToken.None);
        await Assert.ThrowsAsync<AgentUnavailableException>(() => h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 2), CancellationToken.None));

        Assert.All(h.Server.ChatRequests, r => Assert.Equal("Bearer " + LlmHarness.Key, r.Authorization));
        var database = await File.ReadAllBytesAsync(h.Storage.Database.Path);
        var wal = File.Exists(h.Storage.Database.Path + "-wal") ? await File.ReadAllBytesAsync(h.Storage.Database.Path + "-wal") : [];
        var stored = System.Text.Encoding.UTF8.GetString(database) + System.Text.Encoding.UTF8.GetString(wal);
        Assert.Contains("researcher", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(LlmHarness.Key, stored, StringComparison.Ordinal);
        foreach (var round in new long[] { 1, 2 })
        foreach (var t in await h.TranscriptsAsync(round))
            Assert.DoesNotContain(LlmHarness.Key, t.Reply + t.Error + string.Join("", t.Messages.Select(m => m.Content)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_key_variable_is_named_in_the_error()
    {
        await using var h = await LlmHarness.StartAsync(o => o.Defaults.ApiKeyEnv = "EVOLVE_TEST_UNSET_KEY_VARIABLE");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            h.Get<IResearcher>().ProposeAsync(LlmHarness.Request(round: 1), CancellationToken.None));
        Assert.Contains("EVOLVE_TEST_UNSET_KEY_VARIABLE", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Server.ChatRequests);
    }
}
