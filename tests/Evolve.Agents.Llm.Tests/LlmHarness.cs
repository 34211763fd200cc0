using Evolve.Core;
using Evolve.Core.Transcripts;
using Evolve.Storage;
using Evolve.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Evolve.Agents.Llm.Tests;

/// <summary>
/// A fake endpoint, a real campaign database in a temp folder, and the agents resolved through the production
/// registrations (AddLlmAgents, then AddEvolveAgents' offline defaults).
/// </summary>
public sealed class LlmHarness : IAsyncDisposable
{
    public const string KeyVariable = "EVOLVE_TEST_LLM_KEY";
    public const string Key = "sk-test-7f3a9c0e5d";
    public const string Model = "fake-model";

    private static readonly Lazy<TaskDefinition> Task = new(() => new TaskCatalog().Resolve("circle-packing"));
    private readonly string _directory;

    static LlmHarness() => Environment.SetEnvironmentVariable(KeyVariable, Key);

    private LlmHarness(FakeOpenAiServer server, string directory, CampaignStorage storage, LlmOptions options, ServiceProvider services)
    {
        (Server, _directory, Storage, Options, Services) = (server, directory, storage, options, services);
    }

    public FakeOpenAiServer Server { get; }
    public CampaignStorage Storage { get; }
    public LlmOptions Options { get; }
    public ServiceProvider Services { get; }

    public static TaskDefinition CirclePacking => Task.Value;
    public static string Initial => CirclePacking.ReadInitialProgram();

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public Task<IReadOnlyList<AgentTranscript>> TranscriptsAsync(long round) => Storage.Transcripts.ForRoundAsync(round, CancellationToken.None);

    public static async Task<LlmHarness> StartAsync(Action<LlmOptions>? configure = null, FakeOpenAiServer? server = null)
    {
        server ??= new FakeOpenAiServer();
        var options = new LlmOptions
        {
            Defaults = { Endpoint = server.Endpoint, Model = Model, ApiKeyEnv = KeyVariable, TimeoutSeconds = 30, Temperature = 0.7, TopP = 0.9, MaxTokens = 4096 },
            Retry = { MaxAttempts = 3, InitialDelaySeconds = 0.01, MaxDelaySeconds = 0.05 },
            Prices = { [Model] = new ModelPrice(2.0, 8.0) },
        };
        configure?.Invoke(options);
        var directory = Path.Combine(Path.GetTempPath(), "evolve-llm-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddLlmAgents(options);
        // The embedder (fake endpoint, or hashing when null) must exist before storage opens: cognition search uses it.
        var embedder = LlmAgentSet.CreateEmbeddingGenerator(options);
        var storage = await CampaignStorage.OpenAsync(directory, "llm-test", embedder: embedder);
        services.AddSingleton(storage);
        services.AddSingleton<ITranscriptStore>(storage.Transcripts);
        services.AddEvolveAgents();
        return new LlmHarness(server, directory, storage, options, services.BuildServiceProvider());
    }

    public static NodeView Node(string id, string code, double? score = 2.0, string motivation = "initial program",
        NodeStatus status = NodeStatus.Ok, string? error = null, IReadOnlyDictionary<string, double>? metrics = null) =>
        new(id, long.Parse(id[1..]), "node " + id, motivation, code, score, metrics ?? new Dictionary<string, double> { ["sum_of_radii"] = score ?? 0 },
            status, error, null, 2);

    public static ResearchRequest Request(long round, NodeView? root = null, IReadOnlyList<NodeView>? context = null,
        IReadOnlyList<RetrievedCognition>? cognition = null, long seed = 1) =>
        new(CirclePacking.ReadProblem(), root ?? Node("n00000", Initial), context ?? [], [], cognition ?? [], round, seed);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Storage.Dispose();
        Storage.Database.ReleasePooledConnections();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
