namespace Evolve.Cli.Hosting;

/// <summary>
/// Which sidecar a command talks to: daprd when Dapr's environment variables are set, an explicit
/// standalone sidecar (--sidecar), or the embedded one over the state directory's store.
/// </summary>
public sealed record SidecarSelection(Uri? SidecarUrl, string StateDirectory)
{
    public string WorkflowDatabasePath => Path.Combine(Path.GetFullPath(StateDirectory), "workflows.db");

}
