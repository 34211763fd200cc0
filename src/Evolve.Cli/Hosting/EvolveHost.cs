using Evolve.Cli.Demo;
using Evolve.DataCuration.Evolution;
using Evolve.DataCuration.Workflows;
using Evolve.Torch.LinearAttention;
using Evolve.Durable;
using Evolve.Durable.Client;
using Evolve.Durable.Hosting;
using Evolve.Durable.Sidecar;
using Evolve.Durable.Sidecar.Hosting;
using Evolve.Tasks;
using Evolve.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.Cli.Hosting;

/// <summary>Builds the generic host every `evolve` command runs in: logging, the durable worker and client.</summary>
public static class EvolveHost
{
    /// <summary>Every workflow and activity the `evolve` executable can run.</summary>
    public static void RegisterWorkflows(DurableRegistry registry)
    {
        registry.AddWorkflow<DemoPipelineWorkflow>();
        registry.AddActivity<RecordEffectActivity>();
        registry.AddDataCurationWorkflows();
        registry.AddEvolutionWorkflows();
    }

    /// <summary>
    /// The task catalog and its evaluators. Projects that ship a task with its own trusted evaluator register it here
    /// (services.AddTaskEvaluator / their AddXxxTask extension), so `evolve run` accepts their task.yaml.
    /// </summary>
    /// <summary>
    /// The tasks `evolve run` can take by name: circle packing (Evolve.Tasks), data curation and linear attention
    /// (their projects register their evaluators). `EVOLVE_LINEAR_ATTENTION_STAGES=tiny` shrinks linear-attention's
    /// training stages to a smoke-test size.
    /// </summary>
    public static IServiceCollection AddTasks(IServiceCollection services) => services
        .AddEvolveTasks()
        .AddDataCurationTask()
        .AddLinearAttentionTask(o =>
        {
            if (Environment.GetEnvironmentVariable("EVOLVE_LINEAR_ATTENTION_STAGES") == "tiny") o.UseTinyStages();
        });

    public static IHost Build(SidecarSelection selection, bool runWorker, LogLevel logLevel = LogLevel.Warning)
    {
        var builder = WorkerHostBuilder.Create();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(logLevel);
        // Ctrl-C / SIGTERM stop the host gracefully; in-flight work items are re-dispatched anyway.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        // Tools that only inspect or start workflows get the client without a worker.
        if (runWorker)
        {
            builder.Services.AddDurableWorkflows(RegisterWorkflows);
            AddTasks(builder.Services);
            builder.Services.AddEvolveWorkflows();
        }
        else builder.Services.AddDurableWorkflowClient();
        AddSidecar(builder.Services, selection);
        return builder.Build();
    }

    /// <summary>
    /// An explicit URL wins; otherwise the sidecar connection prefers daprd when Dapr's environment
    /// variables are set, and falls back to the embedded sidecar, which starts only if chosen.
    /// </summary>
    public static void AddSidecar(IServiceCollection services, SidecarSelection selection)
    {
        if (selection.SidecarUrl is { } url) services.UseSidecar(url);
        else services.AddEmbeddedSidecar(o => o.DatabasePath = selection.WorkflowDatabasePath);
    }
}
