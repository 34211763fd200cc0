using Evolve.Durable.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Sidecar.Hosting;

public static class EmbeddedSidecarServiceCollectionExtensions
{
    /// <summary>
    /// Registers the embedded sidecar as the <see cref="ISidecarEndpointProvider"/>: it starts on first use
    /// and stops after the host's hosted services have stopped (so workers drain first), or on disposal.
    /// </summary>
    public static IServiceCollection AddEmbeddedSidecar(this IServiceCollection services, Action<SidecarOptions>? configure = null)
    {
        var options = new SidecarOptions();
        configure?.Invoke(options);
        options.Validate();
        services.TryAddSingleton(sp => new EmbeddedSidecarEndpointProvider(options, sp.GetService<ILoggerFactory>()));
        services.Replace(ServiceDescriptor.Singleton<ISidecarEndpointProvider>(sp =>
        {
            var provider = sp.GetRequiredService<EmbeddedSidecarEndpointProvider>();
            // ApplicationStopped fires after every hosted service (the worker included) has stopped.
            sp.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(
                () => provider.DisposeAsync().AsTask().GetAwaiter().GetResult());
            return provider;
        }));
        return services;
    }
}
