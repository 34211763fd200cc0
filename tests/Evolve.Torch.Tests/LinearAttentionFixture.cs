using Evolve.Engineering;
using Evolve.Engineering.Cascade;
using Evolve.Engineering.StaticChecks;
using Evolve.Tasks;
using Evolve.Torch.Jobs;
using Evolve.Torch.LinearAttention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.Torch.Tests;

/// <summary>
/// The evolve loop's real engineer (Roslyn static check, sandboxed runner, cascade) with the linear-attention task
/// registered as the host registers it, at tiny sizes: one shared baseline directory, so DeltaNet trains once per stage.
/// </summary>
public sealed class LinearAttentionFixture : IDisposable
{
    private static readonly TrainingStageSettings Quick = LinearAttentionOptions.TinyStages()["quick"].Training!;
    public static readonly int QuickSteps = Quick.Training.Steps;
    public static readonly BenchmarkSpec QuickBenchmark = Quick.Benchmarks.Single();

    private readonly ServiceProvider services;
    private readonly Lazy<Task<CandidateEvaluation>> initial;
    private int next;

    public LinearAttentionFixture()
    {
        Root = Directory.CreateTempSubdirectory("evolve-linear-attention-").FullName;
        services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddEvolveEngineering()
            .AddLinearAttentionTask(options =>
            {
                options.BaselineDirectory = Path.Combine(Root, "baselines");
                options.UseTinyStages();
            })
            .BuildServiceProvider();
        Task = services.GetRequiredService<TaskCatalog>().Resolve(LinearAttentionContract.Name);
        Engineer = services.GetRequiredService<CandidateEngineer>();
        Checker = services.GetRequiredService<StaticChecker>();
        Cascade = services.GetRequiredService<EvaluationCascade>();
        Evaluator = services.GetRequiredService<EvaluatorRegistry>().Create(LinearAttentionContract.Name);
        initial = new(() => EvaluateAsync(Task.ReadInitialProgram(), "initial"));
    }

    public string Root { get; }
    public TaskDefinition Task { get; }
    public CandidateEngineer Engineer { get; }
    public StaticChecker Checker { get; }
    public EvaluationCascade Cascade { get; }
    public Evolve.Core.Evaluation.ICandidateEvaluator Evaluator { get; }

    /// <summary>The initial program through every stage, uninterrupted (computed once, shared by the tests).</summary>
    public Task<CandidateEvaluation> InitialEvaluation => initial.Value;

    public string NewDirectory(string hint) => Directory.CreateDirectory(Path.Combine(Root, $"{Interlocked.Increment(ref next):D3}-{hint}")).FullName;

    public Task<CandidateEvaluation> EvaluateAsync(string source, string hint) =>
        Engineer.EvaluateSourceAsync(source, Task, NewDirectory(hint), CancellationToken.None);

    public string TaskFile(string name) => File.ReadAllText(Path.Combine(Task.Directory, name));

    public void Dispose()
    {
        services.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LinearAttentionCollection : ICollectionFixture<LinearAttentionFixture>
{
    public const string Name = "linear-attention";
}
