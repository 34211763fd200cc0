namespace Evolve.Storage;

/// <summary>
/// The folder that holds one campaign: its SQLite database and the artifacts, logs and plots written next to it.
/// Opening it creates whatever is missing, so a new and a resumed campaign take the same path.
/// </summary>
public sealed class CampaignDirectory
{
    public const string DatabaseFileName = "campaign.db";

    private CampaignDirectory(string root)
    {
        Root = root;
    }

    public string Root { get; }
    public string DatabasePath => Path.Combine(Root, DatabaseFileName);
    public string ArtifactsDirectory => Path.Combine(Root, "artifacts");
    public string LogsDirectory => Path.Combine(Root, "logs");
    public string PlotsDirectory => Path.Combine(Root, "plots");

    /// <summary>True when <paramref name="root"/> already holds a campaign database (a run there resumes).</summary>
    public static bool Exists(string root) => File.Exists(Path.Combine(root, DatabaseFileName));

    public static CampaignDirectory Open(string root)
    {
        if (string.IsNullOrWhiteSpace(root))
            throw new ArgumentException("The campaign directory path is empty; pass a folder such as ./campaigns/circle-packing.", nameof(root));
        var full = Path.GetFullPath(root);
        if (File.Exists(full))
            throw new IOException($"Campaign directory '{full}' is a file; pass a folder (it is created when missing).");
        var directory = new CampaignDirectory(full);
        Directory.CreateDirectory(directory.Root);
        Directory.CreateDirectory(directory.ArtifactsDirectory);
        Directory.CreateDirectory(directory.LogsDirectory);
        Directory.CreateDirectory(directory.PlotsDirectory);
        return directory;
    }

    public override string ToString() => Root;
}
