using Evolve.Durable.Tests.Processes;

namespace Evolve.Workflows.Tests;

/// <summary>`evolve run` rejects bad settings before starting anything, naming the key and the allowed values.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("evolve-cli-test-").FullName;

    [Fact]
    public async Task Invalid_settings_exit_2_with_every_problem_named_and_nothing_started()
    {
        var config = Path.Combine(_root, "campaign.yaml");
        await File.WriteAllTextAsync(config, "budgets:\n  max_cost_usd: lots\nsampler:\n  temperature: 3\n");
        var directory = Path.Combine(_root, "campaign");

        await using var process = EvolveProcess.Start("run", "circle-packing", "--campaign-dir", directory, "--config", config,
            "--parallel", "0", "--sampler", "annealing");
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exit);
        Assert.Contains("budgets.parallel is '0'; allowed: a whole number between 1 and 64 (from command line)", process.Output);
        Assert.Contains("sampler.kind is 'annealing'; allowed: one of ucb1, greedy, random, map-elites (from command line)", process.Output);
        Assert.Contains("budgets.max_cost_usd is 'lots'; allowed: a number >= 0, or none (from campaign.yaml)", process.Output);
        Assert.Contains("sampler.temperature: unknown key (in campaign.yaml); allowed in sampler: kind, c, top_k", process.Output);
        Assert.False(Directory.Exists(directory), "nothing may be created for an invalid configuration");
    }

    [Fact]
    public async Task Unknown_task_exits_2_naming_the_built_in_tasks()
    {
        await using var process = EvolveProcess.Start("run", "circle-pack", "--campaign-dir", Path.Combine(_root, "c"));
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("'circle-pack' is neither a task folder nor a built-in task; built-in tasks: circle-packing", process.Output);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
