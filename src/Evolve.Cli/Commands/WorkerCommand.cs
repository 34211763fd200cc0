using System.CommandLine;
using Evolve.Cli.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.Cli.Commands;

/// <summary>
/// `evolve worker` and `evolve serve`: a long-running workflow worker. `serve` is what
/// `dapr run -f dapr.yaml` starts next to daprd; `worker` is the same process attached to a
/// standalone sidecar, one per GPU, say.
/// </summary>
public static class WorkerCommand
{
    public static Command Create(string name, string description)
    {
        var stateDirectory = CommonOptions.StateDirectory();
        var sidecar = CommonOptions.Sidecar();
        var command = new Command(name, description) { stateDirectory, sidecar };
        command.SetAction(async (parse, cancellation) =>
        {
            var selection = CommonOptions.Selection(parse, stateDirectory, sidecar);
            using var host = EvolveHost.Build(selection, runWorker: true, LogLevel.Information);
            Console.WriteLine($"evolve {name}: worker running (pid {Environment.ProcessId}); Ctrl-C to stop");
            await host.RunAsync(cancellation);
            return 0;
        });
        return command;
    }
}
