using Microsoft.Extensions.Logging;

namespace Evolve.Durable.Tests;

/// <summary>Collects formatted log messages, so tests can assert what was logged.</summary>
internal sealed class CapturingLoggerFactory(List<string> lines) : ILoggerFactory, ILogger
{
    public void AddProvider(ILoggerProvider provider) { }
    public ILogger CreateLogger(string categoryName) => this;
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (lines) lines.Add(formatter(state, exception));
    }
}
