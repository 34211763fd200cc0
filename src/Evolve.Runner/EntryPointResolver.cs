using System.Reflection;

namespace Evolve.Runner;

/// <summary>Finds the public static entry point the task names, with a message the researcher can act on.</summary>
internal static class EntryPointResolver
{
    public static MethodInfo Resolve(Assembly assembly, string typeName, string methodName)
    {
        var type = assembly.GetType(typeName, throwOnError: false);
        if (type is null)
        {
            foreach (var candidate in assembly.GetTypes())
            {
                if (candidate.Name == typeName && candidate.DeclaringType is null)
                {
                    if (type is not null) throw new EntryPointException($"more than one type is named '{typeName}'; keep exactly one");
                    type = candidate;
                }
            }
        }
        if (type is null) throw new EntryPointException($"the candidate defines no type '{typeName}'; it must define public static class {typeName}");

        MethodInfo? found = null;
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.Name != methodName || method.IsGenericMethodDefinition) continue;
            var parameters = method.GetParameters();
            var usable = parameters.Length == 0 || (parameters.Length == 1 && parameters[0].ParameterType == typeof(string));
            if (usable && (found is null || parameters.Length > found.GetParameters().Length)) found = method;
        }
        return found ?? throw new EntryPointException(
            $"type '{type.FullName}' has no public static method {methodName}() (or {methodName}(string stage))");
    }
}

internal sealed class EntryPointException(string message) : Exception(message);
