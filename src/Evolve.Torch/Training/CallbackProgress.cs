namespace Evolve.Torch.Training;

/// <summary>
/// Reports on the training thread itself, in order. (Progress&lt;T&gt; posts to the thread pool, so
/// its reports arrive late and unordered — too late, for example, to stop a run at a given step.)
/// </summary>
public sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
