using System.CommandLine;
using Evolve.Cli.Hosting;

namespace Evolve.Cli.Commands;

/// <summary>Options shared by the commands that talk to a sidecar.</summary>
public static class CommonOptions
{
    public static Option<string> StateDirectory(string defaultValue = ".evolve") => new("--state-dir")
    {
        Description = "Directory of the embedded sidecar's store (workflows.db) and other local state",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<Uri?> Sidecar() => new("--sidecar")
    {
        Description = "Attach to a standalone sidecar (e.g. http://127.0.0.1:50051) instead of starting the embedded one",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
            result.AddError($"--sidecar must be an http(s) URL such as http://127.0.0.1:50051, not '{text}'.");
            return null;
        },
    };

    public static SidecarSelection Selection(ParseResult parse, Option<string> stateDirectory, Option<Uri?> sidecar) =>
        new(parse.GetValue(sidecar), parse.GetValue(stateDirectory)!);
}
