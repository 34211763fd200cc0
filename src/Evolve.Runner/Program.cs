using System.Reflection;
using System.Runtime.ExceptionServices;
using Evolve.Runner;

// Usage: Evolve.Runner <candidate.dll> <type> <method> <result.json> <stage>
//    or: Evolve.Runner --serve   (start and warm up now; read those five fields, tab-separated, from stdin later)
// Exit codes: 0 returned normally, 2 the entry point is missing or unusable, 3 the candidate threw, 4 out of memory.
ParentWatch.DieWithParent();
// Tasks may let candidates compile against assemblies shipped with Evolve (static_check.references); they sit beside
// this runner but are not in its dependency manifest, so resolve them from here.
System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, name) =>
{
    var path = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
    return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
};
var exitCode = Run(args);
Console.Out.Flush();
// Exit explicitly: a foreground thread the candidate left running must not keep the process (and the clock) going.
Environment.Exit(exitCode);

static int Run(string[] args)
{
    var job = args;
    if (args is ["--serve"])
    {
        // A spare runner: pay for runtime start-up and JIT before the candidate exists, then wait for the job.
        ResultFile.WarmUp();
        var line = Console.In.ReadLine();
        if (line is null) return RunnerExit.Ok; // The host went away (or retired this spare) before giving it work.
        job = line.Split('\t');
    }
    if (job.Length != 5)
    {
        Console.Error.WriteLine("usage: Evolve.Runner <candidate.dll> <type> <method> <result.json> <stage>  |  Evolve.Runner --serve");
        return RunnerExit.Usage;
    }

    var (assemblyPath, typeName, methodName, resultPath, stage) = (job[0], job[1], job[2], job[3], job[4]);
    var result = new ResultFile(resultPath);

    MethodInfo method;
    try
    {
        method = EntryPointResolver.Resolve(Assembly.LoadFrom(assemblyPath), typeName, methodName);
    }
    catch (EntryPointException e)
    {
        result.WriteSetupError(e.Message);
        return RunnerExit.BadEntryPoint;
    }

    try
    {
        object? value;
        try
        {
            value = method.Invoke(null, method.GetParameters().Length == 1 ? [stage] : null);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        Console.Out.Flush();
        result.WriteValue(value);
        return RunnerExit.Ok;
    }
    catch (OutOfMemoryException e)
    {
        // Drop whatever the candidate held before serialising the report.
        GC.Collect();
        result.WriteException(e);
        return RunnerExit.OutOfMemory;
    }
    catch (Exception e)
    {
        Console.Out.Flush();
        result.WriteException(e);
        return RunnerExit.CandidateThrew;
    }
}
