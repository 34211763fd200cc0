using Evolve.Core;

namespace Evolve.Engineering.Tests;

/// <summary>
/// Every kind of bad candidate, through the real static check and the real runner process, ends with the right
/// status and an error a researcher can act on.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class BadCandidateCorpusTests(EngineFixture engine)
{
    [Fact]
    public async Task Does_not_compile_is_a_compile_error_with_line_and_column()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, EngineFixture.Corpus("does-not-compile"));

        Assert.Equal(NodeStatus.CompileError, result.Status);
        var diagnostic = Assert.Single(result.StaticCheck!.Diagnostics);
        Assert.Equal("CS1002", diagnostic.Id);
        Assert.Equal(5, diagnostic.Line);
        Assert.Contains("; expected", diagnostic.Message);
        Assert.Contains("(5,", result.Error);
        Assert.Null(result.Cascade);
    }

    [Fact]
    public async Task Throws_is_a_crash_naming_the_exception_and_where()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, EngineFixture.Corpus("throws"));

        Assert.Equal(NodeStatus.Crash, result.Status);
        Assert.Contains("System.InvalidOperationException: no packing found for 26 circles", result.Error);
        Assert.Contains("Packing.Build", result.Error);
        Assert.Equal("validity", result.Cascade!.StageReached);
    }

    [Fact]
    public async Task Loops_forever_is_a_timeout_and_the_process_is_gone()
    {
        var task = engine.QuickCirclePacking(timeoutSeconds: 1.5);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await engine.EvaluateAsync(task, EngineFixture.Corpus("loops-forever"));

        Assert.True(result.Status == NodeStatus.Timeout, $"{result.Status}: {result.Error}");
        Assert.Contains("ran past the 1.5 s wall-clock limit of stage 'validity'", result.Error);
        Assert.Contains("process tree was killed", result.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Allocates_without_bound_is_out_of_memory()
    {
        var task = engine.QuickCirclePacking(memoryMb: 128, timeoutSeconds: 30);
        var result = await engine.EvaluateAsync(task, EngineFixture.Corpus("allocates-without-bound"));

        Assert.Equal(NodeStatus.OutOfMemory, result.Status);
        Assert.Contains("128 MiB", result.Error);
    }

    [Fact]
    public async Task Writes_outside_scratch_is_stopped_by_the_static_check()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, EngineFixture.Corpus("writes-outside-scratch"));

        Assert.Equal(NodeStatus.StaticCheckFailed, result.Status);
        var usage = Assert.Single(result.StaticCheck!.ForbiddenUsages);
        Assert.Equal("System.IO", usage.Rule);
        Assert.Equal("System.IO.File.WriteAllText", usage.Api);
        Assert.Equal(5, usage.Line);
        Assert.Contains("uses System.IO.File.WriteAllText, forbidden by the rule 'System.IO'", result.Error);
    }

    [Fact]
    public async Task Opens_a_socket_is_stopped_by_the_static_check()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, EngineFixture.Corpus("opens-socket"));

        Assert.Equal(NodeStatus.StaticCheckFailed, result.Status);
        Assert.All(result.StaticCheck!.ForbiddenUsages, u => Assert.Equal("System.Net", u.Rule));
        Assert.Contains("System.Net.Sockets", result.Error);
    }

    [BubblewrapFact]
    public async Task Writes_outside_scratch_is_blocked_by_the_sandbox_when_the_static_check_allows_it()
    {
        var marker = $"evolve-escape-{Guid.NewGuid():N}";
        var task = engine.QuickCirclePacking(allowAnyApi: true);
        var result = await engine.EvaluateAsync(task, EngineFixture.Corpus("writes-outside-scratch").Replace("MARKER", marker));

        Assert.Equal(NodeStatus.SandboxViolation, result.Status);
        Assert.Contains("write outside the scratch directory was blocked by the sandbox", result.Error);
        Assert.Contains(marker, result.Error);
        Assert.False(File.Exists($"/tmp/{marker}.txt"));
    }

    [BubblewrapFact]
    public async Task Opens_a_socket_is_blocked_by_the_sandbox_when_the_static_check_allows_it()
    {
        var task = engine.QuickCirclePacking(allowAnyApi: true);
        var result = await engine.EvaluateAsync(task, EngineFixture.Corpus("opens-socket"));

        Assert.Equal(NodeStatus.SandboxViolation, result.Status);
        Assert.Contains("network access was blocked by the sandbox", result.Error);
        Assert.Contains("SocketException", result.Error);
    }

    [Fact]
    public async Task Returns_nan_is_invalid_output()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, EngineFixture.Corpus("returns-nan"));

        Assert.Equal(NodeStatus.InvalidOutput, result.Status);
        Assert.Equal("circle 7 has a non-finite or non-numeric r: \"NaN\"", result.Error);
    }

    [Fact]
    public async Task Wrong_number_of_circles_is_invalid_output()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, EngineFixture.Corpus("wrong-count"));

        Assert.Equal(NodeStatus.InvalidOutput, result.Status);
        Assert.Equal("expected 26 circles, got 25", result.Error);
    }

    [Fact]
    public async Task Prints_garbage_is_invalid_output_and_the_log_tail_is_sanitised()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, EngineFixture.Corpus("prints-garbage"));

        Assert.Equal(NodeStatus.InvalidOutput, result.Status);
        Assert.Contains("got null", result.Error);
        var stdout = result.Cascade!.Stages[0].StdoutTail;
        Assert.Contains("}}{{ not json ]]", stdout);
        Assert.DoesNotContain(stdout, c => char.IsControl(c) && c is not '\n' and not '\t');
    }

    [Fact]
    public async Task Overlapping_packing_is_rejected_at_the_validity_stage()
    {
        var result = await engine.EvaluateAsync(engine.CirclePacking, EngineFixture.Corpus("overlapping"));

        Assert.Equal(NodeStatus.RejectedAtStage, result.Status);
        Assert.Equal("validity", result.Cascade!.StageReached);
        Assert.Single(result.Cascade.Stages);
        Assert.Contains("rejected at stage 'validity': validity = 0 is below the threshold 1", result.Error);
        Assert.Contains("overlap", result.Error);
    }

    [Fact]
    public async Task Stack_overflow_is_a_crash()
    {
        var result = await engine.EvaluateAsync(engine.QuickCirclePacking(timeoutSeconds: 30), EngineFixture.Corpus("stack-overflow"));

        Assert.Equal(NodeStatus.Crash, result.Status);
        Assert.Contains("stack overflow", result.Error);
    }

    [Fact]
    public async Task Timeout_kills_the_whole_process_tree()
    {
        var marker = (4_000_000 + Random.Shared.Next(1_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var task = engine.QuickCirclePacking(allowAnyApi: true, timeoutSeconds: 2);
        var result = await engine.EvaluateAsync(task, EngineFixture.Corpus("spawns-child-and-hangs").Replace("MARKER", marker));

        Assert.True(result.Status == NodeStatus.Timeout, $"{result.Status}: {result.Error}");
        // The grandchild `sleep MARKER` must not outlive the candidate.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (SleepersWith(marker) > 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(0, SleepersWith(marker));
    }

    [Fact]
    public async Task Scratch_directory_is_the_writable_working_directory()
    {
        var task = engine.QuickCirclePacking(allowAnyApi: true);
        var result = await engine.EvaluateAsync(task, EngineFixture.Corpus("writes-in-scratch"), "scratch");

        Assert.Equal(NodeStatus.Ok, result.Status);
        var stageDirectory = Cascade.EvaluationCascade.StageDirectory(Path.GetDirectoryName(result.StaticCheck!.AssemblyPath)!, task, 0);
        Assert.Equal("scratch is writable", File.ReadAllText(Path.Combine(stageDirectory, "run", "scratch", "notes.txt")));
    }

    [Fact]
    public async Task A_foreground_thread_left_running_does_not_hold_the_run_past_its_result()
    {
        var task = engine.QuickCirclePacking(timeoutSeconds: 20);
        var result = await engine.EvaluateAsync(task, EngineFixture.Corpus("leaves-thread-running"));

        Assert.True(result.Status == NodeStatus.Ok, $"{result.Status}: {result.Error}");
        Assert.True(result.Cascade!.Stages[0].Duration < TimeSpan.FromSeconds(15));
    }

    private static int SleepersWith(string marker)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("sleep", StringComparison.Ordinal) && cmdline.Contains(marker, StringComparison.Ordinal)) count++;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return count;
    }
}

/// <summary>A test that needs bubblewrap to isolate candidates; skipped (with the reason) where it cannot.</summary>
public sealed class BubblewrapFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Works = new(() =>
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bwrap",
                ["--unshare-net", "--unshare-pid", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"])
            { RedirectStandardError = true, RedirectStandardOutput = true });
            process!.WaitForExit(20_000);
            return process.HasExited && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public BubblewrapFactAttribute()
    {
        if (!Works.Value) Skip = "bubblewrap is not installed or cannot create namespaces here (make deps installs it)";
    }
}
