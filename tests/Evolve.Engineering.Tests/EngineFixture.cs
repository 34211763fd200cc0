using Evolve.Engineering.Cascade;
using Evolve.Engineering.Sandbox;
using Evolve.Engineering.StaticChecks;
using Evolve.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.Engineering.Tests;

/// <summary>The real engineer (Roslyn, runner process, bubblewrap where it works), shared by the tests of a collection.</summary>
public sealed class EngineFixture : IDisposable
{
    private readonly ServiceProvider _services;
    private int _next;

    public EngineFixture()
    {
        Root = Directory.CreateTempSubdirectory("evolve-engineering-test-").FullName;
        _services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddEvolveEngineering()
            .BuildServiceProvider();
        Compiler = _services.GetRequiredService<CandidateCompiler>();
        Checker = _services.GetRequiredService<StaticChecker>();
        Runner = _services.GetRequiredService<SandboxRunner>();
        Cascade = _services.GetRequiredService<EvaluationCascade>();
        Engineer = _services.GetRequiredService<CandidateEngineer>();
        Isolated = _services.GetRequiredService<IsolationProbe>().BubblewrapAsync(CancellationToken.None).GetAwaiter().GetResult() is not null;
        CirclePacking = new TaskCatalog().Resolve("circle-packing");
    }

    public string Root { get; }
    public CandidateCompiler Compiler { get; }
    public StaticChecker Checker { get; }
    public SandboxRunner Runner { get; }
    public EvaluationCascade Cascade { get; }
    public CandidateEngineer Engineer { get; }
    public TaskDefinition CirclePacking { get; }

    /// <summary>Whether bubblewrap isolates candidates on this host.</summary>
    public bool Isolated { get; }

    public string NewDirectory(string hint) => Directory.CreateDirectory(Path.Combine(Root, $"{Interlocked.Increment(ref _next):D3}-{hint}")).FullName;

    public static string Corpus(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", name + ".cs"));

    /// <summary>A copy of the built-in circle-packing task with its task.yaml edited.</summary>
    public TaskDefinition CirclePackingVariant(Func<string, string> edit)
    {
        var directory = NewDirectory("task");
        foreach (var file in Directory.EnumerateFiles(CirclePacking.Directory)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        var yaml = Path.Combine(directory, TaskLoader.TaskFileName);
        File.WriteAllText(yaml, edit(File.ReadAllText(yaml)));
        return TaskLoader.LoadFolder(directory);
    }

    /// <summary>Circle packing with short limits, and with or without the static API ban.</summary>
    public TaskDefinition QuickCirclePacking(bool allowAnyApi = false, double timeoutSeconds = 10, int memoryMb = 512) =>
        CirclePackingVariant(yaml =>
        {
            yaml = yaml.Replace("timeout_s: 10", $"timeout_s: {timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}")
                       .Replace("memory_mb: 512", $"memory_mb: {memoryMb}");
            if (allowAnyApi) yaml = yaml[..yaml.IndexOf("  forbidden:", StringComparison.Ordinal)] + "  forbidden: []\n" + yaml[yaml.IndexOf("sampler:", StringComparison.Ordinal)..];
            return yaml;
        });

    public Task<CandidateEvaluation> EvaluateAsync(TaskDefinition task, string source, string hint = "candidate") =>
        Engineer.EvaluateSourceAsync(source, task, NewDirectory(hint), CancellationToken.None);

    public void Dispose()
    {
        _services.Dispose();
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

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "engine";
}
