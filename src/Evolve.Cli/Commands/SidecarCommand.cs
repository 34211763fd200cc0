using System.CommandLine;
using Evolve.Durable.Sidecar;
using Evolve.Durable.Sidecar.Hosting;
using Microsoft.Extensions.Logging;

namespace Evolve.Cli.Commands;

/// <summary>`evolve sidecar`: the embedded sidecar as a standalone server that several workers attach to.</summary>
public static class SidecarCommand
{
    public static Command Create()
    {
        var database = new Option<string>("--db")
        {
            Description = "SQLite file of the workflow store (created if missing)",
            DefaultValueFactory = _ => Path.Combine(".evolve", "workflows.db"),
        };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 50051 };
        var command = new Command("sidecar", "Serve the workflow protocol (TaskHubSidecarService) over a SQLite store") { database, port };
        command.SetAction(async (parse, cancellation) =>
        {
            var path = Path.GetFullPath(parse.GetValue(database)!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            await using var sidecar = await EmbeddedSidecar.StartAsync(
                new SidecarOptions { DatabasePath = path, Port = parse.GetValue(port) }, loggers, cancellation);
            // Tests and scripts read this line to learn the address when --port 0 is used.
            Console.WriteLine($"sidecar listening on {sidecar.Address} (store {path})");
            try { await Task.Delay(Timeout.Infinite, cancellation); }
            catch (OperationCanceledException) { }
            return 0;
        });
        return command;
    }
}
