using System.Collections.Concurrent;
using System.Diagnostics;
using Evolve.Core.Transcripts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI.Chat;

namespace Evolve.Agents.Llm;

/// <summary>
/// Sends one chat request through Semantic Kernel to an OpenAI-compatible endpoint, prices the
/// tokens, lets the agent parse the reply and records the call's transcript (idempotent by agent, round, call) —
/// also when it failed. Retries and timeouts are <see cref="LlmRetryPolicy"/>'s: after its budget the call throws
/// <see cref="AgentUnavailableException"/>.
/// </summary>
public sealed class LlmChatClient(
    LlmOptions options,
    OpenAiClientFactory clients,
    LlmRetryPolicy retries,
    ITranscriptStore transcripts,
    TimeProvider timeProvider,
    ILogger<LlmChatClient>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<LlmChatClient>.Instance;
    private readonly ConcurrentDictionary<(string, string?, double, string), IChatCompletionService> _services = new();

    public async Task<LlmResult<T>> CompleteAsync<T>(LlmCall call, Func<LlmReply, ReplyParse<T>> parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(parse);
        var agent = call.Agent.ConfigName();
        var clock = Stopwatch.StartNew();
        LlmReply reply;
        try
        {
            reply = await SendWithRetriesAsync(call, clock, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AgentUnavailableException or LlmRequestException)
        {
            await RecordAsync(call, "", 0, 0, 0, clock.Elapsed, e.Message, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        ReplyParse<T> parsed;
        try
        {
            parsed = parse(reply);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            parsed = ReplyParse<T>.Reject($"the reply could not be read: {e.Message}");
        }
        await RecordAsync(call, reply.Text, reply.InputTokens, reply.OutputTokens, reply.CostUsd, reply.Latency, parsed.Rejection, cancellationToken)
            .ConfigureAwait(false);
        if (parsed.Rejection is not null)
            _logger.LogWarning("{Agent} round {Round} call {Call}: reply rejected: {Reason}", agent, call.Round, call.Call, parsed.Rejection);
        return new LlmResult<T>(parsed.Value, parsed.Rejection, reply);
    }

    private async Task<LlmReply> SendWithRetriesAsync(LlmCall call, Stopwatch clock, CancellationToken cancellationToken)
    {
        var (text, finishReason, input, output) = await retries.ExecuteAsync(call.Agent.ConfigName(), call.Settings.Timeout,
            token => SendOnceAsync(call, token), cancellationToken).ConfigureAwait(false);
        return new LlmReply(text, call.Model, finishReason, input, output, options.CostUsd(call.Model, input, output), clock.Elapsed);
    }

    private async Task<(string Text, string? FinishReason, long Input, long Output)> SendOnceAsync(LlmCall call, CancellationToken cancellationToken)
    {
        var settings = call.Settings;
        var service = _services.GetOrAdd((settings.Endpoint!, settings.ApiKeyEnv, settings.Timeout.TotalSeconds, call.Model),
            _ => new OpenAIChatCompletionService(call.Model, clients.For(settings)));
        var history = new ChatHistory();
        foreach (var message in call.Messages) history.AddMessage(RoleOf(message.Role), message.Content);
        var execution = new OpenAIPromptExecutionSettings
        {
            Temperature = settings.Temperature,
            TopP = settings.TopP,
            MaxTokens = settings.MaxTokens,
        };
        if (settings.Extra is { Count: > 0 } extra)
        {
            // Semantic Kernel marks its pass-through of extra body fields experimental; it is the supported way to
            // send vendor options (top_k, reasoning_effort, …) without forking the connector.
#pragma warning disable SKEXP0010
            execution.ExtraBody = extra.ToDictionary(p => p.Key, p => p.Value);
#pragma warning restore SKEXP0010
        }
        var content = await service.GetChatMessageContentAsync(history, execution, kernel: null, cancellationToken).ConfigureAwait(false);

        string? finishReason = null;
        long input = 0, output = 0;
        if (content.InnerContent is ChatCompletion completion)
        {
            finishReason = FinishReasonName(completion.FinishReason);
            input = completion.Usage?.InputTokenCount ?? 0;
            output = completion.Usage?.OutputTokenCount ?? 0;
        }
        return (content.Content ?? "", finishReason, input, output);
    }

    private static string FinishReasonName(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.Stop => "stop",
        ChatFinishReason.Length => "length",
        ChatFinishReason.ContentFilter => "content_filter",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.FunctionCall => "function_call",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private static AuthorRole RoleOf(string role) => role switch
    {
        "system" => AuthorRole.System,
        "assistant" => AuthorRole.Assistant,
        "user" => AuthorRole.User,
        _ => throw new ArgumentException($"unknown message role '{role}' (system, user, assistant)", nameof(role)),
    };

    private Task RecordAsync(LlmCall call, string reply, long input, long output, double cost, TimeSpan latency, string? error, CancellationToken cancellationToken) =>
        transcripts.RecordAsync(new AgentTranscript(call.Agent.ConfigName(), call.Round, call.Call, call.Model, call.Messages, reply,
            input, output, cost, latency, timeProvider.GetUtcNow(), error), cancellationToken);
}
