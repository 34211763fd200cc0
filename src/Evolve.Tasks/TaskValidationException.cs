namespace Evolve.Tasks;

/// <summary>A task folder is unusable. <see cref="Errors"/> lists every problem found, each naming its key.</summary>
public sealed class TaskValidationException : Exception
{
    public TaskValidationException(string source, IReadOnlyList<string> errors)
        : base($"{source} is not a valid task:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", errors)}")
    {
        Source = source;
        Errors = errors;
    }

    /// <summary>The file or folder that failed validation.</summary>
    public new string Source { get; }

    /// <summary>One readable line per problem, e.g. "stages[1].timeout_s: must be a number of seconds greater than 0 (got 'abc')".</summary>
    public IReadOnlyList<string> Errors { get; }
}
