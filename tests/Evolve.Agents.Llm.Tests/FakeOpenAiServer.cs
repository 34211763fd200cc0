using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Evolve.Storage;

namespace Evolve.Agents.Llm.Tests;

/// <summary>A scripted answer to one chat request.</summary>
public sealed record FakeReply(
    int Status = 200,
    string? Content = null,
    string FinishReason = "stop",
    int PromptTokens = 1000,
    int CompletionTokens = 500,
    string? RawBody = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    TimeSpan Delay = default)
{
    public static FakeReply Chat(string content, string finishReason = "stop", int promptTokens = 1000, int completionTokens = 500) =>
        new(Content: content, FinishReason: finishReason, PromptTokens: promptTokens, CompletionTokens: completionTokens);

    public static FakeReply Error(int status, string? retryAfter = null) =>
        new(Status: status, RawBody: $"{{\"error\":{{\"message\":\"scripted {status}\",\"type\":\"server_error\"}}}}",
            Headers: retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter });
}

/// <summary>A request the server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Authorization, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    /// <summary>All message contents of a chat request, joined.</summary>
    public string MessagesText => string.Join("\n", Json["messages"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()));
}

/// <summary>
/// A real OpenAI-compatible HTTP server on loopback: <c>/v1/chat/completions</c> answers from a script (one reply per
/// request, in order; an empty script answers 500 so a test that asks too often fails visibly) and
/// <c>/v1/embeddings</c> answers with the local hashing embedder's vectors (float or base64, as requested).
/// Every request is recorded.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<FakeReply> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly HashingEmbeddingGenerator _embedder = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeOpenAiServer()
    {
        var port = FreePort();
        BaseUri = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseUri);
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string BaseUri { get; }

    /// <summary>The endpoint to configure (with the /v1 version path).</summary>
    public string Endpoint => BaseUri + "v1";

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    public IReadOnlyList<RecordedRequest> ChatRequests => _requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).ToList();

    public int Pending => _script.Count;

    /// <summary>Answers a chat request before the script is consulted (null: use the script); for tests whose agents run concurrently.</summary>
    public Func<RecordedRequest, FakeReply?>? Respond { get; set; }

    public FakeOpenAiServer Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies) _script.Enqueue(reply);
        return this;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
            var path = context.Request.Url!.AbsolutePath;
            var recorded = new RecordedRequest(context.Request.HttpMethod, path, context.Request.Headers["Authorization"], body);
            _requests.Enqueue(recorded);
            if (path.EndsWith("/embeddings", StringComparison.Ordinal))
            {
                await WriteAsync(context, 200, Embeddings(body), null);
                return;
            }
            if (!path.EndsWith("/chat/completions", StringComparison.Ordinal))
            {
                await WriteAsync(context, 404, "{\"error\":{\"message\":\"no such route\"}}", null);
                return;
            }
            var reply = Respond?.Invoke(recorded);
            if (reply is null && !_script.TryDequeue(out reply))
            {
                await WriteAsync(context, 500, "{\"error\":{\"message\":\"the fake server has no scripted reply left\"}}", null);
                return;
            }
            if (reply.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(reply.Delay, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
            var model = JsonNode.Parse(body)?["model"]?.GetValue<string>() ?? "fake";
            await WriteAsync(context, reply.Status, reply.RawBody ?? Completion(model, reply), reply.Headers);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (HttpListenerException)
        {
            // The client gave up (timeout test); nothing to answer.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static string Completion(string model, FakeReply reply) => new JsonObject
    {
        ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
        ["object"] = "chat.completion",
        ["created"] = 1_763_800_000,
        ["model"] = model + "-2026-01-01",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content ?? "" },
            ["finish_reason"] = reply.FinishReason,
        }),
        ["usage"] = new JsonObject
        {
            ["prompt_tokens"] = reply.PromptTokens,
            ["completion_tokens"] = reply.CompletionTokens,
            ["total_tokens"] = reply.PromptTokens + reply.CompletionTokens,
        },
    }.ToJsonString();

    private string Embeddings(string body)
    {
        var request = JsonNode.Parse(body)!;
        var input = request["input"]!;
        var texts = input is JsonArray array ? array.Select(t => t!.GetValue<string>()).ToList() : [input.GetValue<string>()];
        var base64 = request["encoding_format"]?.GetValue<string>() == "base64";
        var vectors = _embedder.GenerateAsync(texts).GetAwaiter().GetResult();
        var data = new JsonArray();
        for (var i = 0; i < vectors.Count; i++)
        {
            var floats = vectors[i].Vector.ToArray();
            JsonNode embedding = base64
                ? JsonValue.Create(Convert.ToBase64String(floats.SelectMany(BitConverter.GetBytes).ToArray()))
                : new JsonArray(floats.Select(f => (JsonNode)JsonValue.Create(f)).ToArray());
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = request["model"]?.GetValue<string>() ?? "fake-embed",
            ["usage"] = new JsonObject { ["prompt_tokens"] = texts.Sum(t => t.Length / 4), ["total_tokens"] = texts.Sum(t => t.Length / 4) },
        }.ToJsonString();
    }

    private static async Task WriteAsync(HttpListenerContext context, int status, string body, IReadOnlyDictionary<string, string>? headers)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
        _stop.Dispose();
    }

    internal static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
