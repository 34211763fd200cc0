using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using OpenAI;

namespace Evolve.Agents.Llm;

/// <summary>
/// One OpenAI SDK client per (endpoint, key variable), shared by the agents and the embedder. The SDK's own retries are
/// off: <see cref="LlmChatClient"/> retries, so that every attempt is accounted for and a long outage surfaces as
/// <see cref="AgentUnavailableException"/>.
/// </summary>
public sealed class OpenAiClientFactory
{
    /// <summary>Sent when no api_key_env is configured: local servers (vLLM, Ollama, llama.cpp) ignore the header.</summary>
    public const string NoKeyPlaceholder = "no-key";

    private readonly ConcurrentDictionary<(string Endpoint, string? KeyEnv, double Timeout), OpenAIClient> _clients = new();

    public OpenAIClient For(LlmEndpointSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.HasEndpoint) throw new InvalidOperationException("An LLM call needs an endpoint and a model; none is configured.");
        return _clients.GetOrAdd((settings.Endpoint!, settings.ApiKeyEnv, settings.Timeout.TotalSeconds), key => Create(key.Endpoint, key.KeyEnv, settings.Timeout));
    }

    private OpenAIClient Create(string endpoint, string? keyEnv, TimeSpan timeout)
    {
        var key = NoKeyPlaceholder;
        if (keyEnv is not null)
        {
            key = Environment.GetEnvironmentVariable(keyEnv) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException(
                    $"The environment variable {keyEnv} (named by api_key_env) is not set or empty; export the API key for {endpoint} in it.");
        }
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            // The per-call timeout is enforced by LlmChatClient; this only keeps the transport from cutting in first.
            NetworkTimeout = timeout + TimeSpan.FromSeconds(5),
        };
        return new OpenAIClient(new ApiKeyCredential(key), options);
    }
}
