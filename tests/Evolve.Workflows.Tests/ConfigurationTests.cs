using Evolve.Tasks;
using Evolve.Workflows.Configuration;

namespace Evolve.Workflows.Tests;

/// <summary>Layering (defaults → task.yaml → campaign YAML → ${ENV} → flags), validation messages and the saved effective configuration.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("evolve-config-test-").FullName;
    private static readonly TaskDefinition Task = TestHost.CirclePacking;

    private string WriteYaml(string text, string name = "campaign.yaml")
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static ConfigLayer Flags(params (string Key, string Value)[] values) =>
        CampaignConfiguration.FlagLayer(values.ToDictionary(v => v.Key, v => (string?)v.Value));

    [Fact]
    public void Each_layer_overrides_the_one_before_and_the_source_of_every_value_is_kept()
    {
        var file = WriteYaml("""
            budgets:
              rounds: 12
              parallel: 3
              max_cost_usd: ${EVOLVE_TEST_COST}
            sampler:
              kind: greedy
            cognition:
              top_k: ${EVOLVE_TEST_TOPK:-7}
            """);
        var environment = new Dictionary<string, string> { ["EVOLVE_TEST_COST"] = "2.5" };

        var configuration = CampaignConfiguration.Build(
            [CampaignConfiguration.TaskLayer(Task), CampaignConfiguration.FileLayer(file), Flags(("budgets.parallel", "4"))],
            name => environment.GetValueOrDefault(name));
        var s = configuration.Settings;

        Assert.Equal("circle-packing", s.CampaignId);          // task.yaml (its name)
        Assert.Equal(0.1, s.Sampler.MapElites.MigrationRate);  // task.yaml
        Assert.Equal(1.0, s.TargetScore);                      // task.yaml budgets
        Assert.Equal(12, s.Rounds);                            // campaign file over task.yaml's 40
        Assert.Equal(4, s.Parallel);                           // flag over the campaign file's 3
        Assert.Equal("greedy", s.Sampler.Kind);                // campaign file over task.yaml's ucb1
        Assert.Equal(2.5, s.MaxCostUsd);                       // ${ENV}
        Assert.Equal(7, s.CognitionTopK);                      // ${ENV:-default}
        Assert.Equal(42UL, s.Seed);                            // built-in default
        Assert.Null(s.MaxTokens);
        var sources = configuration.Values.ToDictionary(v => v.Setting.Key, v => v.Source);
        Assert.Equal(("task.yaml", "campaign.yaml", "command line", "default"),
            (sources["budgets.target_score"], sources["budgets.rounds"], sources["budgets.parallel"], sources["campaign.seed"]));
    }

    [Fact]
    public void Every_setting_reaches_the_options_and_survives_the_saved_file()
    {
        var flags = Flags(("campaign.id", "cp-x"), ("campaign.seed", "7"), ("budgets.rounds", "9"), ("budgets.parallel", "5"),
            ("budgets.target_score", "0.99"), ("budgets.wall_time_minutes", "30"), ("budgets.debug_retries", "4"), ("budgets.max_tokens", "123456"),
            ("budgets.max_cost_usd", "1.25"), ("sampler.kind", "map-elites"), ("sampler.c", "2"), ("sampler.top_k", "6"), ("sampler.top_m", "20"),
            ("sampler.context_count", "2"), ("sampler.lesson_count", "1"), ("sampler.islands", "3"), ("sampler.migration_interval", "5"),
            ("sampler.migration_rate", "0.5"), ("cognition.top_k", "8"), ("cognition.min_similarity", "0.2"), ("cognition.merge_threshold", "0.8"),
            ("novelty.similarity_threshold", "0.97"), ("judge.weight", "0.35"), ("workflow.continue_as_new_every", "11"), ("workflow.outage_backoff_seconds", "15"),
            ("workflow.activity_attempts", "2"),
            ("workflow.progress_interval_seconds", "5"));
        Assert.Equal(CampaignSettingKeys.All.Count, flags.Values.Count); // the test names every key

        var configuration = CampaignConfiguration.Build([CampaignConfiguration.TaskLayer(Task), flags]);
        var s = configuration.Settings;
        Assert.Equal(("cp-x", 7UL, 9, 5, 0.99, 30.0, 4, 123456L, 1.25), (s.CampaignId, s.Seed, s.Rounds, s.Parallel, s.TargetScore, s.WallTimeMinutes, s.DebugRetries, s.MaxTokens, s.MaxCostUsd));
        Assert.Equal(("map-elites", 2.0, 6, 20, 2, 1), (s.Sampler.Kind, s.Sampler.Ucb1.C, s.Sampler.RootPoolSize, s.Sampler.ContextPoolSize, s.Sampler.ContextCount, s.Sampler.LessonCount));
        Assert.Equal((3, 5, 0.5), (s.Sampler.MapElites.Islands, s.Sampler.MapElites.MigrationInterval, s.Sampler.MapElites.MigrationRate));
        Assert.Equal((8, 0.2, 0.8, 0.97), (s.CognitionTopK, s.CognitionMinSimilarity, s.CognitionMergeThreshold, s.NoveltySimilarityThreshold));
        Assert.Equal((11, 15.0, 2), (s.ContinueAsNewEvery, s.OutageBackoffSeconds, s.ActivityAttempts));
        Assert.Equal(0.35, s.JudgeWeight);
        Assert.Equal(5.0, s.ProgressIntervalSeconds);

        var path = configuration.Save(_folder);
        Assert.Equal(Path.Combine(_folder, CampaignConfiguration.EffectiveFileName), path);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
        var reloaded = CampaignConfiguration.LoadEffective(_folder);
        Assert.Empty(reloaded.DifferencesFrom(configuration));
        Assert.Contains("max_cost_usd: 1.25  # ", File.ReadAllText(path));
    }

    [Fact]
    public void Bad_values_unknown_keys_and_missing_variables_are_all_reported_with_the_key_and_what_is_allowed()
    {
        var file = WriteYaml("""
            budgets:
              rounds: many
              paralel: 2
              max_tokens: ${EVOLVE_TEST_UNSET_VARIABLE}
            sampler:
              kind: annealing
            llms:
              model: gpt
            llm:
              endpoint: http://localhost:8000/v1
              model: qwen
              temprature: 0.5
            judge:
              weight: 2
            """);

        var error = Assert.Throws<CampaignConfigurationException>(() => CampaignConfiguration.Build(
            [CampaignConfiguration.TaskLayer(Task), CampaignConfiguration.FileLayer(file), Flags(("budgets.parallel", "0"))], _ => null));

        Assert.Contains(error.Errors, e => e == "llms: unknown section (in campaign.yaml); allowed sections: campaign, budgets, sampler, cognition, novelty, judge, workflow, llm");
        Assert.Contains(error.Errors, e => e.Contains("temprature", StringComparison.Ordinal) && e.EndsWith("(in campaign.yaml)", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e == "judge.weight is '2'; allowed: a number between 0 and 1 (from campaign.yaml)");
        Assert.Contains(error.Errors, e => e.StartsWith("budgets.paralel: unknown key (in campaign.yaml); allowed in budgets: rounds, parallel,", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e == "budgets.rounds is 'many'; allowed: a whole number between 1 and 1000000 (from campaign.yaml)");
        Assert.Contains(error.Errors, e => e == "budgets.parallel is '0'; allowed: a whole number between 1 and 64 (from command line)");
        Assert.Contains(error.Errors, e => e == "sampler.kind is 'annealing'; allowed: one of ucb1, greedy, random, map-elites (from campaign.yaml)");
        Assert.Contains(error.Errors, e => e.StartsWith("budgets.max_tokens: environment variable EVOLVE_TEST_UNSET_VARIABLE is not set", StringComparison.Ordinal));
        Assert.Contains("Invalid campaign configuration:", error.Message);
    }

    [Fact]
    public void Malformed_flags_and_files_are_errors_too()
    {
        Assert.Contains("expected section.key=value", Assert.Throws<CampaignConfigurationException>(
            () => CampaignConfiguration.FlagLayer(new Dictionary<string, string?>(), ["rounds"])).Message);
        Assert.Contains("rounds: unknown key (in command line); keys are section.name with sections campaign, budgets,", Assert.Throws<CampaignConfigurationException>(
            () => CampaignConfiguration.Build([CampaignConfiguration.TaskLayer(Task), Flags(("rounds", "4"))])).Message);
        Assert.Contains("YAML syntax error", Assert.Throws<CampaignConfigurationException>(
            () => CampaignConfiguration.Build([CampaignConfiguration.FileLayer(WriteYaml("budgets: [unclosed"))])).Message);
        Assert.Contains("does not exist", Assert.Throws<CampaignConfigurationException>(
            () => CampaignConfiguration.FileLayer(Path.Combine(_folder, "missing.yaml"))).Message);
        Assert.Contains("sampler.top_m (5) must be at least sampler.top_k (10)", Assert.Throws<CampaignConfigurationException>(
            () => CampaignConfiguration.Build([CampaignConfiguration.TaskLayer(Task), Flags(("sampler.top_m", "5"))])).Message);
    }

    [Fact]
    public void A_resumed_campaign_keeps_its_saved_sampler_and_seed_but_takes_new_budgets()
    {
        var directory = Path.Combine(_folder, "campaign");
        var first = CampaignLauncher.Prepare(Task, directory, null, Flags(("budgets.rounds", "5"), ("campaign.seed", "3")));
        Assert.False(first.Resumed);
        Assert.Equal(CampaignLauncher.InstanceIdFor("circle-packing", directory), first.InstanceId);

        var second = CampaignLauncher.Prepare(Task, directory, null, Flags(("budgets.rounds", "8"), ("campaign.seed", "9"), ("sampler.kind", "random")));

        Assert.True(second.Resumed);
        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.Equal((8, 3UL, "ucb1"), (second.Configuration.Settings.Rounds, second.Configuration.Settings.Seed, second.Configuration.Settings.Sampler.Kind));
        Assert.Contains("campaign.seed: kept the campaign's saved value; start a new --campaign-dir to change it", second.Notes);
        Assert.Contains("changed on resume: budgets.rounds: 5 -> 8", second.Notes);
        Assert.Equal(8, CampaignConfiguration.LoadEffective(directory).Settings.Rounds);
        Assert.Equal(8, second.Input.Limits.Rounds);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_llm_section_is_read_saved_without_keys_and_read_back_from_the_effective_file()
    {
        var file = WriteYaml("""
            budgets:
              rounds: 3
            llm:
              endpoint: ${EVOLVE_TEST_LLM_ENDPOINT:-http://localhost:8000/v1}
              model: qwen-coder
              api_key_env: EVOLVE_TEST_KEY
              researcher: { mode: diff }
              judge: { temperature: 0 }
              prices:
                qwen-coder: { input_per_million: 0.5, output_per_million: 1.5 }
            judge:
              weight: 0.5
            """);

        var configuration = CampaignConfiguration.Build([CampaignConfiguration.TaskLayer(Task), CampaignConfiguration.FileLayer(file)], _ => null);
        configuration.Save(_folder);
        var reloaded = CampaignConfiguration.LoadEffective(_folder).Settings.Llm;

        foreach (var llm in new[] { configuration.Settings.Llm, reloaded })
        {
            Assert.Equal(("http://localhost:8000/v1", "qwen-coder", "EVOLVE_TEST_KEY"), (llm.Defaults.Endpoint, llm.Defaults.Model, llm.Defaults.ApiKeyEnv));
            Assert.Equal(Agents.ProposalMode.Diff, llm.Researcher.Mode);
            Assert.True(llm.Judge.Enabled);
            Assert.Equal(0.5, llm.Prices["qwen-coder"].InputPerMillion);
        }
        Assert.Equal(0.5, configuration.Settings.JudgeWeight);
        Assert.Contains("llm:", File.ReadAllText(Path.Combine(_folder, CampaignConfiguration.EffectiveFileName)));
        Assert.False(CampaignConfiguration.Build([CampaignConfiguration.TaskLayer(Task)]).Settings.Llm.AnyConfigured); // no section: offline
    }
}
