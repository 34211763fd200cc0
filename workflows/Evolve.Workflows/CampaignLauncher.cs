using System.Security.Cryptography;
using System.Text;
using Evolve.Durable.Client;
using Evolve.Storage;
using Evolve.Tasks;
using Evolve.Workflows.Configuration;
using Evolve.Core.IO;

namespace Evolve.Workflows;

/// <summary>A campaign ready to start or resume: its effective configuration (saved), the workflow input and instance id.</summary>
/// <param name="Resumed">True when the campaign directory already held a campaign.</param>
/// <param name="Notes">What the caller should tell the user (settings kept from the saved configuration, …).</param>
public sealed record PreparedCampaign(
    TaskDefinition Task,
    CampaignConfiguration Configuration,
    CampaignInput Input,
    string InstanceId,
    bool Resumed,
    IReadOnlyList<string> Notes)
{
    public string CampaignDirectory => Input.Campaign.CampaignDirectory;
}

/// <summary>
/// Prepares and starts campaigns the same way for `evolve run`, tests and benchmarks. A new campaign directory gets the
/// layered configuration (defaults → task.yaml → campaign YAML → ${ENV} → flags); an existing one keeps its saved
/// configuration, and only budgets.* and workflow.* may be overridden on resume (the sampler, seed and stores of a
/// campaign must stay what they were).
/// </summary>
public static class CampaignLauncher
{
    private static readonly string[] ResumableSections = ["budgets", "workflow"];

    /// <param name="configFile">Optional campaign YAML (--config).</param>
    /// <param name="flags">Keys set by dedicated flags (--rounds → budgets.rounds, …) and --set pairs.</param>
    /// <exception cref="CampaignConfigurationException">Invalid settings, each named.</exception>
    public static PreparedCampaign Prepare(TaskDefinition task, string campaignDirectory, string? configFile, ConfigLayer flags,
        Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var directory = Path.GetFullPath(campaignDirectory);
        var overrides = new List<ConfigLayer>();
        if (configFile is not null) overrides.Add(CampaignConfiguration.FileLayer(configFile));
        overrides.Add(flags);

        var notes = new List<string>();
        var savedPath = Path.Combine(directory, CampaignConfiguration.EffectiveFileName);
        var resumed = File.Exists(savedPath);
        CampaignConfiguration configuration;
        if (resumed)
        {
            var saved = CampaignConfiguration.FileLayer(savedPath, substituteEnvironment: false) with { Name = CampaignConfiguration.EffectiveFileName };
            var allowed = overrides.Select(layer => layer with
            {
                Values = layer.Values.Where(v => ResumableSections.Contains(v.Key.Split('.')[0])).ToDictionary(v => v.Key, v => v.Value),
                Llm = null,
            }).ToList();
            if (overrides.Any(l => l.Llm is not null))
                notes.Add("llm: kept the campaign's saved LLM settings; start a new --campaign-dir to change them");
            var ignored = overrides.SelectMany(l => l.Values.Keys).Where(k => !ResumableSections.Contains(k.Split('.')[0])).Distinct().ToList();
            configuration = CampaignConfiguration.Build([saved, .. allowed], environment);
            var savedConfiguration = CampaignConfiguration.Build([saved], environment);
            foreach (var key in ignored)
            {
                notes.Add($"{key}: kept the campaign's saved value; start a new --campaign-dir to change it");
            }
            notes.AddRange(configuration.DifferencesFrom(savedConfiguration).Select(d => "changed on resume: " + d));
        }
        else
        {
            configuration = CampaignConfiguration.Build([CampaignConfiguration.TaskLayer(task), .. overrides], environment);
        }
        configuration.Save(directory, task.Name);

        var s = configuration.Settings;
        var limits = new CampaignLimits(s.Rounds, s.Parallel, s.TargetScore is { } t ? (task.HigherIsBetter ? t : -t) : null, s.WallTimeMinutes,
            s.MaxTokens, s.MaxCostUsd, s.DebugRetries, s.ContinueAsNewEvery, s.OutageBackoffSeconds, s.ActivityAttempts,
            s.ProgressIntervalSeconds);
        var input = new CampaignInput(new CampaignContext(directory, task.Directory), limits);
        return new PreparedCampaign(task, configuration, input, InstanceIdFor(s.CampaignId, directory), resumed, notes);
    }

    /// <summary>One campaign directory, one instance id: the same command after a crash resumes the same workflow.</summary>
    public static string InstanceIdFor(string campaignId, string campaignDirectory)
    {
        var canonical = Path.GetFullPath(campaignDirectory).TrimEnd(Path.DirectorySeparatorChar);
        return $"campaign-{campaignId}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..12]}";
    }

    /// <summary>
    /// Starts the campaign workflow, resumes it when it is still running (a killed process), or, when it already ended,
    /// starts it again: committed rounds are kept and only missing rounds run.
    /// </summary>
    /// <returns>What happened, for the user: "started", "resumed" or "restarted (previous run Completed)".</returns>
    public static async Task<string> StartOrResumeAsync(DurableWorkflowClient client, PreparedCampaign campaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(campaign);
        var previous = await client.GetWorkflowStateAsync(campaign.InstanceId, getInputsAndOutputs: false, cancellationToken);
        var what = previous is null ? "started" : "resumed";
        if (previous is { IsCompleted: true })
        {
            await client.PurgeInstanceAsync(campaign.InstanceId, recursive: true, cancellationToken);
            what = $"restarted (the previous run ended {previous.RuntimeStatus}; committed rounds are kept)";
        }
        await client.ScheduleNewWorkflowAsync(nameof(EvolutionCampaignWorkflow), campaign.InstanceId, campaign.Input,
            ifExists: ExistingInstanceBehavior.ReturnExisting, cancellationToken: cancellationToken);
        return what;
    }

    /// <summary>Where `evolve run` writes the best program.</summary>
    public static string BestProgramPath(string campaignDirectory) => Path.Combine(Path.GetFullPath(campaignDirectory), "best", "best.cs");

    /// <summary>Writes the best node's code to <see cref="BestProgramPath"/> (temp file, then rename); null when there is no ok node.</summary>
    public static async Task<string?> WriteBestProgramAsync(CampaignStorage storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var best = await storage.Nodes.BestAsync(cancellationToken);
        if (best?.Code is null) return null;
        var path = BestProgramPath(storage.Directory.Root);
        AtomicFile.WriteAllText(path, $"// Best program of the campaign: {best.Id} (round {best.Round}), score {best.Score:R}\n{best.Code}");
        return path;
    }
}
