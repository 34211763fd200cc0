using Microsoft.Extensions.Logging;

namespace Evolve.Engineering.Sandbox;

/// <summary>
/// Decides once per process whether bubblewrap can isolate candidates here. Inside some containers user namespaces
/// are off and bwrap fails; then (in Auto mode) candidates run without it and a warning says so.
/// </summary>
public sealed class IsolationProbe
{
    private readonly EngineeringOptions _options;
    private readonly ILogger<IsolationProbe> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _bwrap;
    private bool? _usable;

    public IsolationProbe(EngineeringOptions options, ILogger<IsolationProbe> logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>The bwrap path when candidates will be isolated with it; null when they run without it.</summary>
    /// <exception cref="InvalidOperationException">Isolation is Bubblewrap but bwrap does not work here.</exception>
    public async Task<string?> BubblewrapAsync(CancellationToken cancellationToken)
    {
        if (_options.Isolation == SandboxIsolation.None) return null;
        if (_usable is null)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                _usable ??= await ProbeAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        if (_usable == true) return _bwrap;
        if (_options.Isolation == SandboxIsolation.Bubblewrap)
        {
            throw new InvalidOperationException(
                $"Isolation is set to Bubblewrap but '{_options.BwrapPath}' does not work on this host (install the bubblewrap package, " +
                "or allow unprivileged user namespaces, or set Isolation to Auto to run without it).");
        }
        return null;
    }

    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        _bwrap = ExecutableLocator.Find(_options.BwrapPath);
        if (_bwrap is null)
        {
            _logger.LogWarning("bubblewrap ('{Bwrap}') is not installed: candidates run WITHOUT network and filesystem isolation; " +
                "only the static API ban, the time limit and the memory cap protect the host. Install the bubblewrap package to fix this.",
                _options.BwrapPath);
            return false;
        }
        var process = new GroupProcess(_options);
        var scratch = Directory.CreateTempSubdirectory("evolve-bwrap-probe-").FullName;
        try
        {
            var outcome = await process.RunAsync(new GroupProcessSpec(
                _bwrap, [.. SandboxRunner.BubblewrapArguments(scratch, scratch), "/bin/sh", "-c", "true"],
                scratch, new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }, TimeSpan.FromSeconds(20), null), cancellationToken).ConfigureAwait(false);
            if (outcome.ExitCode == 0) return true;
            _logger.LogWarning("bubblewrap does not work here (exit {Exit}: {Error}): candidates run WITHOUT network and filesystem isolation; " +
                "only the static API ban, the time limit and the memory cap protect the host.", outcome.ExitCode, outcome.StderrTail.Trim());
            return false;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
