namespace Evolve.Durable.Hosting;

/// <summary>
/// The process is not set up to reach any sidecar (or a setting names one that cannot be used).
/// Retrying cannot help, so the worker stops the host with this message instead of reconnecting.
/// </summary>
public sealed class SidecarConfigurationException(string message) : InvalidOperationException(message);
