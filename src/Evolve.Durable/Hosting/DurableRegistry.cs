namespace Evolve.Durable.Hosting;

/// <summary>The workflows and activities this worker can run, by name (case-insensitive).</summary>
public sealed class DurableRegistry
{
    private readonly Dictionary<string, Type> _workflows = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Type> _activities = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, Type> Workflows => _workflows;
    public IReadOnlyDictionary<string, Type> Activities => _activities;

    /// <summary>Registers a workflow under <paramref name="name"/> (default: the class name).</summary>
    public DurableRegistry AddWorkflow<TWorkflow>(string? name = null) where TWorkflow : class, IWorkflow =>
        Add(_workflows, "workflow", name ?? typeof(TWorkflow).Name, typeof(TWorkflow));

    /// <summary>Registers an activity under <paramref name="name"/> (default: the class name).</summary>
    public DurableRegistry AddActivity<TActivity>(string? name = null) where TActivity : class, IWorkflowActivity =>
        Add(_activities, "activity", name ?? typeof(TActivity).Name, typeof(TActivity));

    private DurableRegistry Add(Dictionary<string, Type> map, string kind, string name, Type type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (map.TryGetValue(name, out var existing) && existing != type)
        {
            throw new ArgumentException($"A {kind} named '{name}' is already registered ({existing.FullName}); {type.FullName} needs another name.");
        }
        map[name] = type;
        return this;
    }
}
