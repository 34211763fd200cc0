using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace Evolve.Engineering.StaticChecks;

/// <summary>
/// Compiles candidate C# with Roslyn. Thread-safe and meant to live as a singleton: the metadata references and a
/// base compilation are built once, and every candidate is compiled as that base plus one syntax tree, so Roslyn's
/// already-bound reference symbols are reused and a warm compile costs tens of milliseconds.
/// </summary>
public sealed class CandidateCompiler
{
    /// <summary>Assembly name of every compiled candidate (each runs alone in its own process).</summary>
    public const string AssemblyName = "Candidate";

    /// <summary>Usings every candidate gets, so a researcher's forgotten `using System;` is not a wasted round.</summary>
    public const string ImplicitUsings = "global using System;\nglobal using System.Collections.Generic;\nglobal using System.Linq;\n";

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.None);

    // One warm base compilation per set of extra references (most tasks have none; a few name one or two assemblies).
    private readonly ConcurrentDictionary<string, Lazy<CSharpCompilation>> _bases = new(StringComparer.Ordinal);

    /// <summary>Builds the references and binds them once, so the first real compile is not the slow one.</summary>
    public void Warm(IReadOnlyList<string>? references = null) =>
        Compile("public static class Warmup { public static int Run() => new List<int> { 1 }.Sum(); }", references, CancellationToken.None);

    /// <summary>Parses and compiles <paramref name="source"/>; emits the assembly when there are no errors.</summary>
    public CompilationOutput Compile(string source, CancellationToken cancellationToken) => Compile(source, null, cancellationToken);

    /// <summary>
    /// Compiles <paramref name="source"/> against the framework plus <paramref name="references"/>: paths of extra
    /// assemblies (a task's static_check.references, resolved by the caller).
    /// </summary>
    public CompilationOutput Compile(string source, IReadOnlyList<string>? references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tree = CSharpSyntaxTree.ParseText(SourceText.From(source, Encoding.UTF8), ParseOptions, path: "candidate.cs", cancellationToken: cancellationToken);
        var extra = references ?? [];
        var key = string.Join('\n', extra);
        var compilation = _bases.GetOrAdd(key, _ => new Lazy<CSharpCompilation>(() => CreateBase(extra), LazyThreadSafetyMode.ExecutionAndPublication))
            .Value.AddSyntaxTrees(tree);

        using var peStream = new MemoryStream();
        var emit = compilation.Emit(peStream, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.Embedded), cancellationToken: cancellationToken);
        var errors = emit.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(ToSourceDiagnostic)
            .ToList();
        return new CompilationOutput(compilation, tree, errors, emit.Success ? peStream.ToArray() : null);
    }

    internal static SourceDiagnostic ToSourceDiagnostic(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return new SourceDiagnostic(d.Id, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1,
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static CSharpCompilation CreateBase(IReadOnlyList<string> extraReferences)
    {
        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: OptimizationLevel.Release,
            allowUnsafe: false,
            nullableContextOptions: NullableContextOptions.Disable,
            deterministic: true,
            concurrentBuild: false);
        var usings = CSharpSyntaxTree.ParseText(SourceText.From(ImplicitUsings, Encoding.UTF8), ParseOptions, path: "implicit-usings.cs");
        var references = FrameworkReferences.Value.AddRange(extraReferences.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)));
        return CSharpCompilation.Create(AssemblyName, [usings], references, options);
    }

    // The runtime's own framework assemblies: what the runner process will load the candidate against.
    private static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkReferences = new(() =>
    {
        var tpa = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "";
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDir, StringComparison.Ordinal))
            .Where(p => IsFrameworkAssembly(Path.GetFileNameWithoutExtension(p)))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    private static bool IsFrameworkAssembly(string name) =>
        name is "mscorlib" or "netstandard" or "Microsoft.CSharp" ||
        (name.StartsWith("System.", StringComparison.Ordinal) && !name.Contains("Private.", StringComparison.Ordinal) ||
         name == "System.Private.CoreLib");
}

/// <summary>The result of one compile.</summary>
/// <param name="Compilation">The Roslyn compilation (for semantic rules).</param>
/// <param name="Tree">The candidate's syntax tree.</param>
/// <param name="Errors">Compiler errors; empty when it compiled.</param>
/// <param name="Assembly">The emitted assembly, or null when there were errors.</param>
public sealed record CompilationOutput(CSharpCompilation Compilation, SyntaxTree Tree, IReadOnlyList<SourceDiagnostic> Errors, byte[]? Assembly)
{
    public bool Succeeded => Assembly is not null;
}
