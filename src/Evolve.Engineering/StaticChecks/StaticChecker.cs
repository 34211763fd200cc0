using System.Diagnostics;
using System.Text;
using Evolve.Core;
using Evolve.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Evolve.Core.IO;

namespace Evolve.Engineering.StaticChecks;

/// <summary>
/// The engineer's first gate: source size, Roslyn compile, the task's forbidden APIs and its entry point. On success
/// the assembly is written (temp file, then rename) to the path the caller chose, so a retried activity is harmless.
/// </summary>
public sealed class StaticChecker(CandidateCompiler compiler)
{
    /// <summary>How many diagnostics the readable error quotes (all are in the result).</summary>
    private const int QuotedDiagnostics = 5;

    /// <param name="source">Candidate source.</param>
    /// <param name="task">The task whose rules apply.</param>
    /// <param name="assemblyPath">Where to write the compiled candidate when it passes.</param>
    public StaticCheckResult Check(string source, TaskDefinition task, string assemblyPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentException.ThrowIfNullOrWhiteSpace(assemblyPath);
        var clock = Stopwatch.StartNew();

        var bytes = Encoding.UTF8.GetByteCount(source);
        if (bytes > task.StaticCheck.MaxSourceBytes)
        {
            return Fail(NodeStatus.StaticCheckFailed,
                $"the source is {bytes} bytes, over the task's limit of {task.StaticCheck.MaxSourceBytes} bytes (static_check.max_source_bytes); shorten it", [], []);
        }
        if (string.IsNullOrWhiteSpace(source))
        {
            return Fail(NodeStatus.CompileError, "the source is empty", [], []);
        }

        var output = compiler.Compile(source, task.StaticCheck.References.Select(TaskLoader.ReferencePath).ToList(), cancellationToken);
        if (!output.Succeeded)
        {
            var errors = output.Errors.Count > 0 ? output.Errors : [new SourceDiagnostic("EMIT", 1, 1, "compilation failed without a diagnostic")];
            return Fail(NodeStatus.CompileError,
                $"does not compile ({errors.Count} error{(errors.Count == 1 ? "" : "s")}): {Quote(errors)}", errors, []);
        }

        var forbidden = ForbiddenApiScanner.Scan(output.Compilation, output.Tree, task.StaticCheck.Forbidden, cancellationToken);
        if (forbidden.Count > 0)
        {
            return Fail(NodeStatus.StaticCheckFailed,
                $"uses forbidden APIs: {Quote(forbidden)}; the task allows pure computation only (see static_check.forbidden)", [], forbidden);
        }

        if (task.EntryPoint is { } entry && FindEntryPointProblem(output.Compilation, entry) is { } problem)
        {
            return Fail(NodeStatus.StaticCheckFailed, problem, [], []);
        }

        AtomicFile.WriteAllBytes(assemblyPath, output.Assembly!);
        return new StaticCheckResult(NodeStatus.Ok, null, [], [], Path.GetFullPath(assemblyPath), clock.Elapsed);

        StaticCheckResult Fail(NodeStatus status, string error, IReadOnlyList<SourceDiagnostic> diagnostics, IReadOnlyList<ForbiddenUsage> usages) =>
            new(status, error, diagnostics, usages, null, clock.Elapsed);
    }

    private static string Quote<T>(IReadOnlyList<T> items) =>
        string.Join("; ", items.Take(QuotedDiagnostics).Select(i => i!.ToString())) +
        (items.Count > QuotedDiagnostics ? $"; and {items.Count - QuotedDiagnostics} more" : "");

    /// <summary>Null when the candidate defines the entry point the runner will call; otherwise what is wrong.</summary>
    private static string? FindEntryPointProblem(CSharpCompilation compilation, EntryPointSpec entry)
    {
        var types = compilation.Assembly.TypeNames.Count == 0
            ? []
            : AllTypes(compilation.Assembly.GlobalNamespace)
                .Where(t => t.ContainingType is null && (t.ToDisplayString() == entry.Type || t.Name == entry.Type))
                .ToList();
        var expected = $"public static class {entry.Type} {{ public static … {entry.Method}() }}";
        if (types.Count == 0) return $"the candidate defines no type '{entry.Type}'; the task needs {expected}";
        if (types.Count > 1) return $"more than one type is named '{entry.Type}'; keep exactly one";
        var type = types[0];
        if (type.DeclaredAccessibility != Accessibility.Public) return $"type '{entry.Type}' must be public; the task needs {expected}";
        var methods = type.GetMembers(entry.Method).OfType<IMethodSymbol>().ToList();
        if (methods.Count == 0) return $"type '{entry.Type}' has no method '{entry.Method}'; the task needs {expected}";
        var usable = methods.Any(m => m.IsStatic && m.DeclaredAccessibility == Accessibility.Public && !m.IsGenericMethod &&
            (m.Parameters.Length == 0 || (m.Parameters.Length == 1 && m.Parameters[0].Type.SpecialType == SpecialType.System_String)));
        return usable ? null : $"'{entry.Type}.{entry.Method}' must be public static and take no parameters (or one string, the stage name)";
    }

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
    {
        foreach (var type in ns.GetTypeMembers()) yield return type;
        foreach (var child in ns.GetNamespaceMembers())
        {
            foreach (var type in AllTypes(child)) yield return type;
        }
    }
}
