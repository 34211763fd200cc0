using System.Reflection;
using Evolve.Bench;

// Usage: Evolve.Bench [name ...]   (no names: all benchmarks)
var selected = new HashSet<string>(args, StringComparer.OrdinalIgnoreCase);
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .Where(b => selected.Count == 0 || selected.Contains(b.Name))
    .OrderBy(b => b.Order)
    .ToList();

if (benchmarks.Count == 0)
{
    Console.Error.WriteLine($"No benchmark matches '{string.Join(" ", args)}'.");
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

var root = Path.Combine(Directory.GetCurrentDirectory(), ".evolve", "bench");
var summaries = new List<string>();
foreach (var benchmark in benchmarks)
{
    var work = Path.Combine(root, benchmark.Name);
    if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
    Directory.CreateDirectory(work);
    Console.Error.WriteLine($"== {benchmark.Name}");
    var line = await benchmark.RunAsync(new BenchContext(work, Console.Error), cts.Token);
    summaries.Add(line);
    Console.WriteLine(line);
    Directory.Delete(work, recursive: true);
}

// The machine-readable lines again, together, as the last lines of the output.
Console.WriteLine();
foreach (var line in summaries) Console.WriteLine(line);
return 0;
