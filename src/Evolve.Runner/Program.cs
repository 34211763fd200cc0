using System.Reflection;
using System.Runtime.ExceptionServices;
using Evolve.Runner;

// Usage: Evolve.Runner <candidate.dll> <type> <method> <result.json> <stage>
// Exit codes: 0 returned normally, 2 the entry point is missing or unusable, 3 the candidate threw, 4 out of memory.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: Evolve.Runner <candidate.dll> <type> <method> <result.json> <stage>");
    return RunnerExit.Usage;
}

var (assemblyPath, typeName, methodName, resultPath, stage) = (args[0], args[1], args[2], args[3], args[4]);
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
