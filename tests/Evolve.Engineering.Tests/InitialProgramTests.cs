using Evolve.Core;

namespace Evolve.Engineering.Tests;

[Collection(EngineCollection.Name)]
public sealed class InitialProgramTests(EngineFixture engine)
{
    [Fact]
    public async Task Circle_packing_initial_program_is_valid_and_scores_its_sum()
    {
        var task = engine.CirclePacking;
        var result = await engine.EvaluateAsync(task, task.ReadInitialProgram(), "initial");

        Assert.True(result.Status == NodeStatus.Ok, result.Error);
        Assert.Equal(["validity", "score"], result.Cascade!.Stages.Select(s => s.Stage));
        Assert.All(result.Cascade.Stages, s => Assert.True(s.Passed));
        Assert.Equal(1, result.Metrics["validity"]);
        Assert.InRange(result.Metrics["sum_radii"], 2.0, 2.3);
        Assert.Equal(result.Metrics["sum_radii"], result.Metrics["sum_radii_strict"]);
        Assert.Equal(result.Metrics["sum_radii"] / 2.635, result.Score!.Value, 12);
        Assert.Equal("score", result.Cascade.StageReached);
    }

    [Fact]
    public async Task Entry_point_taking_a_string_receives_the_stage_name()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, EngineFixture.Corpus("uses-stage"));
        // Stage 2 reuses stage 1's output, so the candidate only ever sees "validity".
        Assert.True(result.Status == NodeStatus.Ok, result.Error);
        Assert.Equal(25 * 0.09 + 0.005, result.Metrics["sum_radii"], 12);
    }
}
