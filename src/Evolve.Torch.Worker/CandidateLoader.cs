using System.Reflection;
using Evolve.Torch.Jobs;
using Evolve.Torch.Mixers;

namespace Evolve.Torch.Worker;

/// <summary>Turns a <see cref="MixerSource"/> into a mixer factory: the baseline, or a candidate's entry point.</summary>
internal static class CandidateLoader
{
    /// <exception cref="CandidateException">The entry point is missing, throws, or returns something other than a factory.</exception>
    public static MixerFactory Load(MixerSource source)
    {
        if (source.IsBaseline) return ReferenceMixers.DeltaNet();
        if (source.EntryType is null || source.EntryMethod is null)
            throw new CandidateException("the request names a candidate assembly but no entry point type and method");
        if (!File.Exists(source.AssemblyPath)) throw new CandidateException($"the candidate assembly {source.AssemblyPath} does not exist");

        var assembly = Assembly.LoadFrom(source.AssemblyPath);
        var type = assembly.GetType(source.EntryType)
            ?? assembly.GetTypes().SingleOrDefault(t => t.Name == source.EntryType && !t.IsNested)
            ?? throw new CandidateException($"the candidate defines no type '{source.EntryType}'");
        var method = type.GetMethod(source.EntryMethod, BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes)
            ?? throw new CandidateException($"'{source.EntryType}' has no public static parameterless method '{source.EntryMethod}'");
        object? value;
        try
        {
            value = method.Invoke(null, null);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new CandidateException($"{source.EntryType}.{source.EntryMethod}() threw {TorchErrors.Describe(e.InnerException)}", e.InnerException);
        }
        return value as MixerFactory ?? throw new CandidateException(
            $"{source.EntryType}.{source.EntryMethod}() returned {(value is null ? "null" : value.GetType().FullName)}; it must return an {typeof(MixerFactory).FullName} (dim => new YourMixer(dim))");
    }
}

/// <summary>The candidate is unusable; the message says why in words for the researcher.</summary>
internal sealed class CandidateException(string message, Exception? inner = null) : Exception(message, inner);
