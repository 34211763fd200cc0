using Evolve.Durable.Client;
using Evolve.Durable.Replay;
using Evolve.Durable.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Evolve.Durable.Hosting;

public static class DurableServiceCollectionExtensions
{
    /// <summary>
    /// Registers workflows and activities, the worker (a hosted service), the client, and the sidecar
    /// connection. Can be called more than once; registrations add up.
    /// </summary>
    public static IServiceCollection AddDurableWorkflows(this IServiceCollection services, Action<DurableRegistry> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var registry = GetOrAddRegistry(services);
        var before = (registry.Workflows.Values.ToHashSet(), registry.Activities.Values.ToHashSet());
        configure(registry);
        foreach (var type in registry.Workflows.Values.Concat(registry.Activities.Values).Except(before.Item1).Except(before.Item2))
        {
            services.TryAddTransient(type);
        }

        services.AddDurableWorkflowClient();
        services.TryAddSingleton<WorkflowExecutor>(sp => new WorkflowExecutor(sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<WorkflowWorkItemRunner>();
        services.TryAddSingleton<ActivityWorkItemRunner>();
        if (!services.Any(d => d.ServiceType == typeof(DurableWorkerService)))
        {
            services.AddSingleton(sp => new DurableWorkerService(
                sp.GetRequiredService<SidecarConnection>(),
                sp.GetRequiredService<WorkflowWorkItemRunner>(),
                sp.GetRequiredService<ActivityWorkItemRunner>(),
                sp.GetRequiredService<IOptions<DurableWorkerOptions>>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<DurableWorkerService>>()));
            services.AddHostedService(sp => sp.GetRequiredService<DurableWorkerService>());
        }
        return services;
    }

    /// <summary>Only the client and the sidecar connection (for tools that inspect or start workflows without running them).</summary>
    public static IServiceCollection AddDurableWorkflowClient(this IServiceCollection services)
    {
        services.AddOptions<DurableWorkerOptions>()
            .Configure<IServiceProvider>((options, sp) =>
                sp.GetService<IConfiguration>()?.GetSection(DurableWorkerOptions.SectionName).Bind(options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DurableWorkerOptions>, DurableWorkerOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new DaprEnvironmentEndpointProvider());
        services.TryAddSingleton<SidecarConnection>();
        services.TryAddSingleton<DurableWorkflowClient>();
        return services;
    }

    /// <summary>Attach to a sidecar at an explicit URL (e.g. <c>--sidecar</c>), overriding the environment and the embedded sidecar.</summary>
    public static IServiceCollection UseSidecar(this IServiceCollection services, Uri address, string? apiToken = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri)
        {
            throw new ArgumentException($"Sidecar address '{address}' must be an absolute URL such as http://127.0.0.1:50001.", nameof(address));
        }
        services.Configure<DurableWorkerOptions>(o =>
        {
            o.SidecarAddress = address.ToString();
            o.ApiToken = apiToken;
        });
        return services;
    }

    private static DurableRegistry GetOrAddRegistry(IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(DurableRegistry))?.ImplementationInstance is DurableRegistry existing)
        {
            return existing;
        }
        var registry = new DurableRegistry();
        services.AddSingleton(registry);
        return registry;
    }
}
