namespace Evolve.Engineering;

/// <summary>Settings of the static check and the sandbox (section "Engineering" when bound from configuration).</summary>
public sealed class EngineeringOptions
{
    /// <summary>
    /// How candidates are isolated. <see cref="SandboxIsolation.Auto"/> uses bubblewrap when it works on this host and
    /// otherwise logs a warning and runs without it (the static API ban and the process limits still apply).
    /// </summary>
    public SandboxIsolation Isolation { get; set; } = SandboxIsolation.Auto;

    /// <summary>The bubblewrap executable.</summary>
    public string BwrapPath { get; set; } = "bwrap";

    /// <summary>The runner (Evolve.Runner.dll); defaults to the copy beside this assembly.</summary>
    public string? RunnerPath { get; set; }

    /// <summary>The `dotnet` host that starts the runner; defaults to the host running this process, then PATH.</summary>
    public string? DotnetPath { get; set; }

    /// <summary>How much of stdout and stderr is kept (the tail), per stream.</summary>
    public int TailBytes { get; set; } = 4096;

    /// <summary>
    /// Resident memory allowed above a stage's memory_mb before the process tree is killed as out of memory: the GC
    /// heap is capped at memory_mb, and this headroom covers the runtime itself (JIT, code, stacks).
    /// </summary>
    public int MemoryHeadroomMb { get; set; } = 192;

    /// <summary>
    /// Keep one runner per memory cap started and warmed up ahead of time, so a run only pays for loading the
    /// candidate, not for starting the runtime (and bubblewrap). Each spare costs one idle process.
    /// </summary>
    public bool PrestartRunners { get; set; } = true;

    /// <summary>Where spare runners keep their scratch directories until they get a job; defaults to the temp folder.</summary>
    public string? SpareDirectory { get; set; }

    /// <summary>How often resident memory is sampled while a candidate runs.</summary>
    public TimeSpan MemoryPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}

public enum SandboxIsolation
{
    /// <summary>Bubblewrap where it works, otherwise none (with a logged warning).</summary>
    Auto,
    /// <summary>Always bubblewrap; fail the run if it does not work.</summary>
    Bubblewrap,
    /// <summary>No namespace isolation: only process limits and the static check.</summary>
    None,
}
