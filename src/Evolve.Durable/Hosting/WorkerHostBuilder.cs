using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Evolve.Durable.Hosting;

/// <summary>The generic host builder every Evolve process (CLI, benchmarks) starts from.</summary>
public static class WorkerHostBuilder
{
    /// <summary>
    /// <see cref="Host.CreateApplicationBuilder()"/> without reloading appsettings files on change: that watches the
    /// working directory, and when a workflow or campaign database lives below it every commit wakes the watcher.
    /// </summary>
    public static HostApplicationBuilder Create(string[]? args = null)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("hostBuilder:reloadConfigOnChange", "false")]);
        return Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, Configuration = configuration });
    }
}
