using Evolve.Core;

namespace Evolve.Engineering.Sandbox;

/// <summary>One sandboxed run of a candidate's entry point.</summary>
/// <param name="Status">Ok when the entry point returned; otherwise Timeout, Crash, OutOfMemory or SandboxViolation.</param>
/// <param name="OutputPath">File holding the returned value as JSON (Ok only).</param>
/// <param name="Error">Readable failure: exception type, message and stack tail, or what the sandbox blocked.</param>
/// <param name="ExitCode">The runner's exit code (128 + signal when killed).</param>
/// <param name="Isolated">Whether bubblewrap isolated the run.</param>
/// <param name="Prestarted">Whether the run used a runner started ahead of time (no runtime start-up on the clock).</param>
public sealed record RunOutcome(
    NodeStatus Status,
    string? OutputPath,
    string? Error,
    int ExitCode,
    bool Isolated,
    TimeSpan Duration,
    long PeakResidentBytes,
    string StdoutTail,
    string StderrTail,
    bool Prestarted);

/// <summary>What to run: a compiled candidate's entry point, with a stage's limits.</summary>
/// <param name="AssemblyPath">The compiled candidate.</param>
/// <param name="EntryType">Type name of the entry point.</param>
/// <param name="EntryMethod">Method name of the entry point.</param>
/// <param name="Stage">Stage name (passed to an entry point that takes a string).</param>
/// <param name="RunDirectory">Directory for this run; its scratch/ sub-folder is the candidate's only writable place.</param>
/// <param name="Timeout">Wall-clock limit.</param>
/// <param name="MemoryMb">Memory cap in MiB.</param>
public sealed record RunRequest(
    string AssemblyPath,
    string EntryType,
    string EntryMethod,
    string Stage,
    string RunDirectory,
    TimeSpan Timeout,
    int MemoryMb);
