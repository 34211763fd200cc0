using Evolve.Agents;
using Evolve.Durable.Client;
using Evolve.Durable.Hosting;
using Evolve.Durable.Sidecar.Hosting;
using Evolve.Durable.Worker;
using Evolve.Storage;
using Evolve.Tasks;
using Evolve.Workflows.Configuration;
using Evolve.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Evolve.Workflows.Tests;

/// <summary>
/// A real host: the evolution workflows on the worker, the embedded sidecar (SQLite) over loopback gRPC, real campaign
/// storage, the real static check and runner processes. Tests may register their own agents first.
/// </summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private TestHost(IHost host, string root)
    {
        _host = host;
        Root = root;
    }

    public string Root { get; }
    public DurableWorkflowClient Client => _host.Services.GetRequiredService<DurableWorkflowClient>();
    public CampaignRuntimes Runtimes => _host.Services.GetRequiredService<CampaignRuntimes>();

    public static async Task<TestHost> StartAsync(Action<IServiceCollection>? agents = null)
    {
        var root = Directory.CreateTempSubdirectory("evolve-workflows-test-").FullName;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddEmbeddedSidecar(o => o.DatabasePath = Path.Combine(root, "sidecar.db"));
        builder.Services.AddDurableWorkflows(r => r.AddEvolutionWorkflows());
        agents?.Invoke(builder.Services);
        builder.Services.AddEvolveWorkflows();
        var host = builder.Build();
        await host.StartAsync();
        var worker = host.Services.GetRequiredService<DurableWorkerService>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!worker.IsConnected)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The worker did not connect to the sidecar in time.");
            await Task.Delay(20);
        }
        return new TestHost(host, root);
    }

    public static TaskDefinition CirclePacking => new TaskCatalog().Resolve("circle-packing");

    /// <summary>A copy of the built-in circle-packing task with its task.yaml edited (it may name <paramref name="extraEvaluator"/>).</summary>
    public TaskDefinition CirclePackingVariant(Func<string, string> edit, string? extraEvaluator = null)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Root, "task-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        foreach (var file in Directory.EnumerateFiles(CirclePacking.Directory)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        var yaml = Path.Combine(directory, TaskLoader.TaskFileName);
        File.WriteAllText(yaml, edit(File.ReadAllText(yaml)));
        return extraEvaluator is null ? TaskLoader.LoadFolder(directory) : TaskLoader.LoadFolder(directory, [.. BuiltInEvaluators.Names, extraEvaluator]);
    }

    public PreparedCampaign Prepare(TaskDefinition task, string name, params (string Key, string Value)[] settings) =>
        CampaignLauncher.Prepare(task, Path.Combine(Root, name), null,
            CampaignConfiguration.FlagLayer(settings.ToDictionary(s => s.Key, s => (string?)s.Value)));

    public async Task<PreparedCampaign> StartAsync(TaskDefinition task, string name, params (string Key, string Value)[] settings)
    {
        var campaign = Prepare(task, name, settings);
        await CampaignLauncher.StartOrResumeAsync(Client, campaign, CancellationToken.None);
        return campaign;
    }

    public async Task<(WorkflowState State, CampaignResult Result)> WaitAsync(PreparedCampaign campaign, int timeoutSeconds = 120)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var state = await Client.WaitForWorkflowCompletionAsync(campaign.InstanceId, cancellationToken: timeout.Token);
        Assert.True(state.RuntimeStatus == WorkflowRuntimeStatus.Completed,
            $"campaign ended {state.RuntimeStatus}: {state.FailureDetails?.ErrorType}: {state.FailureDetails?.ErrorMessage}\n{state.FailureDetails?.StackTrace}");
        return (state, state.ReadOutputAs<CampaignResult>()!);
    }

    public async Task<CampaignStorage> StorageAsync(PreparedCampaign campaign) => (await Runtimes.GetAsync(campaign.Input.Campaign)).Storage;

    /// <summary>Polls the campaign's custom status until <paramref name="condition"/> holds.</summary>
    public async Task<CampaignStatus> WaitForStatusAsync(PreparedCampaign campaign, Func<CampaignStatus, bool> condition, int timeoutSeconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        CampaignStatus? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var state = await Client.GetWorkflowStateAsync(campaign.InstanceId);
            last = state?.ReadCustomStatusAs<CampaignStatus>();
            if (last is not null && condition(last)) return last;
            if (state is { IsCompleted: true }) break;
            await Task.Delay(50);
        }
        throw new TimeoutException($"campaign status never matched; last: {last}");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A killed candidate's files may linger a moment; the temp folder is cleaned eventually anyway.
        }
    }
}

/// <summary>
/// A researcher for tests: a scripted program for some rounds (the bad-candidate corpus, …), the offline researcher for
/// the others, optionally with token usage and a simulated outage.
/// </summary>
internal sealed class ScriptedResearcher(IResearcher fallback) : IResearcher
{
    public Func<long, string?> Script { get; set; } = _ => null;
    public TokenUsage UsagePerCall { get; set; } = TokenUsage.None;
    /// <summary>Rounds whose first research attempts throw <see cref="AgentUnavailableException"/>, with how many times.</summary>
    public Dictionary<long, int> OutagesLeft { get; } = [];
    public TimeSpan? RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
    public List<long> Calls { get; } = [];

    public string Kind => "scripted";

    public async Task<ResearchOutcome> ProposeAsync(ResearchRequest request, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add(request.Round);
            if (OutagesLeft.TryGetValue(request.Round, out var left) && left > 0)
            {
                OutagesLeft[request.Round] = left - 1;
                throw new AgentUnavailableException("researcher", "HTTP 503 from the test endpoint", RetryAfter);
            }
        }
        if (Script(request.Round) is { } code)
        {
            return ResearchOutcome.Success(new ResearchProposal($"scripted round {request.Round}", $"scripted program for round {request.Round}",
                code, ProposalMode.Full, Kind, "test-model", UsagePerCall));
        }
        var outcome = await fallback.ProposeAsync(request, cancellationToken);
        return outcome.Proposal is { } proposal
            ? ResearchOutcome.Success(proposal with { Usage = UsagePerCall, Model = "test-model" })
            : outcome;
    }
}

internal static class Corpus
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", name + ".cs"));
}
