namespace Evolve.DataCuration.Processing;

/// <summary>Identifies an input file's content cheaply: inputs are never modified, so size and write time suffice.</summary>
public static class FileFingerprint
{
    public static string Of(string path)
    {
        var info = new FileInfo(path);
        return FormattableString.Invariant($"{info.Length}:{info.LastWriteTimeUtc.Ticks}");
    }
}
