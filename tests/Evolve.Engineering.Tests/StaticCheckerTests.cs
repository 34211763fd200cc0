using Evolve.Core;

namespace Evolve.Engineering.Tests;

[Collection(EngineCollection.Name)]
public sealed class StaticCheckerTests(EngineFixture engine)
{
    private const string Valid = "public static class Packing { public static double[][] Construct() => new double[26][]; }";

    private Engineering.StaticChecks.StaticCheckResult Check(string source) =>
        engine.Checker.Check(source, engine.CirclePacking, Path.Combine(engine.NewDirectory("static"), "candidate.dll"), CancellationToken.None);

    [Fact]
    public void Valid_source_compiles_to_an_assembly_file()
    {
        var result = Check(Valid);
        Assert.Equal(NodeStatus.Ok, result.Status);
        Assert.Null(result.Error);
        Assert.True(new FileInfo(result.AssemblyPath!).Length > 0);
    }

    [Fact]
    public void Every_compile_error_is_reported_with_its_position()
    {
        var result = Check("public static class Packing\n{\n    public static double[][] Construct() => Missing();\n    static int X => \"s\";\n}");

        Assert.Equal(NodeStatus.CompileError, result.Status);
        Assert.Equal(2, result.Diagnostics.Count);
        Assert.Contains(result.Diagnostics, d => d is { Id: "CS0103", Line: 3, Column: 45 } && d.Message.Contains("'Missing'"));
        Assert.Contains(result.Diagnostics, d => d is { Id: "CS0029", Line: 4 });
        Assert.StartsWith("does not compile (2 errors): (3,45): CS0103:", result.Error);
        Assert.Null(result.AssemblyPath);
    }

    [Theory]
    [InlineData("using F = System.IO.File;\npublic static class Packing { public static double[][] Construct() { F.Delete(\"x\"); return null; } }", "System.IO", "System.IO.File")]
    [InlineData("public static class Packing { public static double[][] Construct() { var s = System.Environment.GetEnvironmentVariable(\"KEY\"); return null; } }", "System.Environment", "System.Environment")]
    [InlineData("public static class Packing { public static double[][] Construct() { var t = typeof(int).Assembly.GetTypes(); return null; } }", "System.Reflection", "System.Reflection.Assembly")]
    [InlineData("public static class Packing { public static double[][] Construct() { var t = System.Type.GetType(\"System.IO.File\"); return null; } }", "System.Type.GetType", "System.Type.GetType")]
    [InlineData("using System.Diagnostics;\npublic static class Packing { public static double[][] Construct() { Process.Start(\"sh\"); return null; } }", "System.Diagnostics.Process", "System.Diagnostics.Process")]
    public void Forbidden_apis_are_found_however_they_are_named(string source, string rule, string api)
    {
        var result = Check(source);

        Assert.Equal(NodeStatus.StaticCheckFailed, result.Status);
        Assert.Contains(result.ForbiddenUsages, u => u.Rule == rule && u.Api.StartsWith(api, StringComparison.Ordinal));
        Assert.Contains($"forbidden by the rule '{rule}'", result.Error);
    }

    [Fact]
    public void Allowed_apis_with_similar_names_pass()
    {
        // System.IOx would match a naive prefix test for "System.IO"; Math and LINQ are plainly allowed.
        var result = Check("namespace System.IOx { public static class Helper { public static double One => Math.Sqrt(1); } }\n" +
                           "public static class Packing { public static double[][] Construct() => new double[26][].Select(_ => new[] { System.IOx.Helper.One }).ToArray(); }");
        Assert.True(result.Status == NodeStatus.Ok, result.Error);
    }

    [Fact]
    public void Source_over_the_size_limit_is_rejected_before_compiling()
    {
        var big = Valid + "\n//" + new string('x', engine.CirclePacking.StaticCheck.MaxSourceBytes);
        var result = Check(big);
        Assert.Equal(NodeStatus.StaticCheckFailed, result.Status);
        Assert.Contains("over the task's limit of 65536 bytes (static_check.max_source_bytes)", result.Error);
    }

    [Theory]
    [InlineData("public static class Other { public static double[][] Construct() => null; }", "defines no type 'Packing'")]
    [InlineData("public static class Packing { public static double[][] Build() => null; }", "has no method 'Construct'")]
    [InlineData("public class Packing { public double[][] Construct() => null; }", "must be public static")]
    [InlineData("static class Packing { public static double[][] Construct() => null; }", "must be public")]
    public void Missing_entry_point_fails_the_static_check(string source, string expected)
    {
        var result = Check(source);
        Assert.Equal(NodeStatus.StaticCheckFailed, result.Status);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void Implicit_usings_spare_the_researcher_a_wasted_round()
    {
        var result = Check("public static class Packing { public static double[][] Construct() => Enumerable.Range(0, 26).Select(i => new[] { Math.Abs(0.5), 0.5, 0.0 }).ToArray(); }");
        Assert.True(result.Status == NodeStatus.Ok, result.Error);
    }

    [Fact]
    public void Unsafe_code_is_not_allowed()
    {
        var result = Check("public static class Packing { public static unsafe double[][] Construct() { int x = 0; int* p = &x; return null; } }");
        Assert.Equal(NodeStatus.CompileError, result.Status);
        Assert.Contains(result.Diagnostics, d => d.Id == "CS0227");
    }
}
