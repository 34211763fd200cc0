using System.CommandLine;
using Evolve.Cli.Hosting;
using Evolve.Durable;
using Evolve.Durable.Client;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Evolve.Cli.Commands;

/// <summary>`evolve workflows list|history`: audit any instance, embedded or under Dapr (same RPCs).</summary>
public static class WorkflowsCommand
{
    public static Command Create()
    {
        var command = new Command("workflows", "Audit workflow instances and their histories");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateHistory());
        return command;
    }

    private static Command CreateList()
    {
        var stateDirectory = CommonOptions.StateDirectory();
        var sidecar = CommonOptions.Sidecar();
        var command = new Command("list", "List workflow instances with status and times") { stateDirectory, sidecar };
        command.SetAction(async (parse, cancellation) =>
        {
            using var host = await StartClientHostAsync(parse, stateDirectory, sidecar, cancellation);
            var client = host.Services.GetRequiredService<DurableWorkflowClient>();
            var ids = await client.ListInstanceIdsAsync(cancellationToken: cancellation).ToListAsync(cancellation);
            Console.WriteLine($"{"INSTANCE",-40} {"WORKFLOW",-28} {"STATUS",-12} {"CREATED (UTC)",-20} UPDATED (UTC)");
            foreach (var id in ids)
            {
                var state = await client.GetWorkflowStateAsync(id, getInputsAndOutputs: false, cancellation);
                if (state is null) continue;
                Console.WriteLine($"{id,-40} {state.Name,-28} {state.RuntimeStatus,-12} {state.CreatedAt:yyyy-MM-dd HH:mm:ss}  {state.LastUpdatedAt:yyyy-MM-dd HH:mm:ss}");
            }
            Console.WriteLine($"{ids.Count} instance(s)");
            await host.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    private static Command CreateHistory()
    {
        var instance = new Argument<string>("instance-id") { Description = "The workflow instance to show" };
        var json = new Option<bool>("--json") { Description = "Print the history events as JSON (one object per line)" };
        var stateDirectory = CommonOptions.StateDirectory();
        var sidecar = CommonOptions.Sidecar();
        var command = new Command("history", "Show an instance's history as a readable timeline") { instance, json, stateDirectory, sidecar };
        command.SetAction(async (parse, cancellation) =>
        {
            using var host = await StartClientHostAsync(parse, stateDirectory, sidecar, cancellation);
            var client = host.Services.GetRequiredService<DurableWorkflowClient>();
            var id = parse.GetValue(instance)!;
            var state = await client.GetWorkflowStateAsync(id, getInputsAndOutputs: false, cancellation);
            if (state is null)
            {
                Console.Error.WriteLine($"No workflow instance '{id}'. `evolve workflows list` shows the ones that exist.");
                return 1;
            }
            var history = await client.GetHistoryAsync(id, cancellation);
            if (parse.GetValue(json))
            {
                var formatter = new JsonFormatter(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
                foreach (var e in history) Console.WriteLine(formatter.Format(e));
            }
            else
            {
                Console.WriteLine($"{id} ({state.Name}) {state.RuntimeStatus}, {history.Count} events");
                Console.WriteLine(WorkflowHistoryFormatter.FormatTimeline(history));
            }
            await host.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    private static async Task<IHost> StartClientHostAsync(ParseResult parse, Option<string> stateDirectory, Option<Uri?> sidecar,
        CancellationToken cancellation)
    {
        var host = EvolveHost.Build(CommonOptions.Selection(parse, stateDirectory, sidecar), runWorker: false);
        await host.StartAsync(cancellation);
        return host;
    }
}
