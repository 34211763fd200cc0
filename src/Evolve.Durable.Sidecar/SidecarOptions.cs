namespace Evolve.Durable.Sidecar;

/// <summary>Settings of the embedded sidecar (store location, listening address, limits).</summary>
public sealed class SidecarOptions
{
    /// <summary>SQLite file holding every instance, its history and pending work. Created if missing.</summary>
    public string DatabasePath { get; set; } = Path.Combine(".evolve", "sidecar.db");

    /// <summary>Loopback address to listen on; the sidecar has no authentication, so keep it local.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (read it back from <see cref="Hosting.EmbeddedSidecar.Address"/>).</summary>
    public int Port { get; set; }

    /// <summary>Largest gRPC message accepted; bigger ones are refused with RESOURCE_EXHAUSTED.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most pending changes folded into one SQLite transaction by the group-commit writer.</summary>
    public int MaxChangesPerCommit { get; set; } = 20_000;

    /// <summary>Page size of ListInstanceIDs when the request names none.</summary>
    public int DefaultListPageSize { get; set; } = 100;

    /// <summary>Checks the values and says which one is wrong and how to fix it.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
            throw new ArgumentException("SidecarOptions.DatabasePath is empty; set it to the SQLite file the sidecar should use.");
        if (string.IsNullOrWhiteSpace(Host))
            throw new ArgumentException("SidecarOptions.Host is empty; use a loopback address such as 127.0.0.1.");
        if (Port is < 0 or > 65535)
            throw new ArgumentException($"SidecarOptions.Port is {Port}; use 0 (any free port) or a port in 1..65535.");
        if (MaxMessageBytes < 1024)
            throw new ArgumentException($"SidecarOptions.MaxMessageBytes is {MaxMessageBytes}; use at least 1024 bytes (default 4 MB).");
        if (MaxChangesPerCommit < 1)
            throw new ArgumentException($"SidecarOptions.MaxChangesPerCommit is {MaxChangesPerCommit}; use a positive number.");
        if (DefaultListPageSize < 1)
            throw new ArgumentException($"SidecarOptions.DefaultListPageSize is {DefaultListPageSize}; use a positive number.");
    }
}
