using System.CommandLine;
using Evolve.Cli.Commands;

var root = new RootCommand("Evolve: durable, autonomous AI-for-AI research")
{
    RunCommand.Create(),
    DemoCommand.Create(),
    DataCommand.Create(),
    WorkerCommand.Create("serve", "Run the Evolve service (workflow worker); what `dapr run -f dapr.yaml` starts"),
    WorkerCommand.Create("worker", "Run a workflow worker attached to a sidecar"),
    SidecarCommand.Create(),
    WorkflowsCommand.Create(),
    StatusCommand.Create(),
    BestCommand.Create(),
    NodesCommand.Create(),
    NodeCommand.Create(),
    LineageCommand.Create(),
    ExportCommand.Create(),
    PlotCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
