using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.Loader;
using Evolve.DataCuration.Cleaning;
using Evolve.Engineering.StaticChecks;
using Evolve.Tasks;

namespace Evolve.DataCuration.Strategies;

/// <summary>
/// Turns strategy source into a usable strategy: the data-curation task's static check (Roslyn compile against
/// Evolve.DataCuration, forbidden APIs, the <c>Strategy.Build</c> entry point), then the assembly is loaded into a
/// collectible load context of this process and <c>Build()</c> is called under a time limit. Every failure is an
/// <see cref="InvalidStrategyException"/> that names the problem, before any shard is touched.
/// </summary>
public sealed class StrategyCompiler(StaticChecker checker)
{
    /// <summary>How long Build() may take: it only composes operations, so anything slow is a bug.</summary>
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A compiler with its own Roslyn state, for processes without dependency injection.</summary>
    public StrategyCompiler() : this(new StaticChecker(new CandidateCompiler()))
    {
    }

    public CompiledStrategy Compile(StrategySource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var task = DataCurationTaskFolder.Definition;
        var assemblyPath = Path.Combine(Path.GetTempPath(), $"evolve-strategy-{source.Hash}-{Guid.NewGuid():N}.dll");
        byte[] assembly;
        try
        {
            var check = checker.Check(source.Text, task, assemblyPath, cancellationToken);
            if (!check.Passed) throw new InvalidStrategyException($"Strategy '{source.Origin}' {check.Error}.");
            assembly = File.ReadAllBytes(assemblyPath);
        }
        finally
        {
            File.Delete(assemblyPath);
        }

        return Load(assembly, task.EntryPoint!, source.Hash, source.Origin);
    }

    /// <summary>Loads an already checked strategy assembly (the evolution loop compiled it) and builds the pipeline.</summary>
    public static CompiledStrategy LoadCompiled(string assemblyPath, string sourceHash, string origin)
    {
        var entry = DataCurationTaskFolder.Definition.EntryPoint!;
        return Load(File.ReadAllBytes(assemblyPath), entry, sourceHash, origin);
    }

    private static CompiledStrategy Load(byte[] assembly, EntryPointSpec entry, string hash, string origin)
    {
        // Collectible and empty: the candidate's own assembly is loaded here, everything it references (the
        // framework, Evolve.DataCuration) resolves to the default context, so its pipeline has our types.
        var context = new AssemblyLoadContext($"strategy-{hash}", isCollectible: true);
        try
        {
            using var stream = new MemoryStream(assembly, writable: false);
            var build = FindBuild(context.LoadFromStream(stream), entry, origin);
            var value = InvokeWithTimeout(build, origin);
            if (value is not ICleaningStrategy pipeline)
            {
                throw new InvalidStrategyException(
                    $"Strategy '{origin}': {entry.Type}.{entry.Method}() returned {value?.GetType().Name ?? "null"}; it must return a CleaningPipeline.");
            }

            if (pipeline.Operations.Count == 0)
            {
                throw new InvalidStrategyException($"Strategy '{origin}': {entry.Type}.{entry.Method}() returned a pipeline without operations; add at least one.");
            }

            return new CompiledStrategy(pipeline, hash, origin, context);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    private static MethodInfo FindBuild(Assembly assembly, EntryPointSpec entry, string origin)
    {
        var type = assembly.GetType(entry.Type) ?? assembly.GetTypes().SingleOrDefault(t => t.Name == entry.Type && t.DeclaringType is null)
                   ?? throw new InvalidStrategyException($"Strategy '{origin}' defines no type '{entry.Type}'.");
        return type.GetMethods(BindingFlags.Public | BindingFlags.Static)
                   .Where(m => m.Name == entry.Method && !m.IsGenericMethodDefinition && m.GetParameters().Length == 0)
                   .SingleOrDefault()
               ?? throw new InvalidStrategyException(
                   $"Strategy '{origin}': '{entry.Type}' has no public static {entry.Method}() taking no parameters.");
    }

    private static object? InvokeWithTimeout(MethodInfo build, string origin)
    {
        var call = Task.Factory.StartNew(() =>
        {
            try
            {
                return build.Invoke(null, null);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            // A Build() that never returns leaves its thread behind; the caller fails fast instead of hanging.
            if (!call.Wait(BuildTimeout))
            {
                throw new InvalidStrategyException($"Strategy '{origin}': {build.DeclaringType?.Name}.{build.Name}() did not return within {BuildTimeout.TotalSeconds:F0} s.");
            }

            return call.Result;
        }
        catch (AggregateException e) when (e.InnerException is { } inner)
        {
            throw new InvalidStrategyException(
                $"Strategy '{origin}': {build.DeclaringType?.Name}.{build.Name}() threw {inner.GetType().Name}: {inner.Message}", inner);
        }
    }
}
