namespace Evolve.Runner;

/// <summary>Exit codes of the runner; the host maps them (with the result file) to node statuses.</summary>
public static class RunnerExit
{
    public const int Ok = 0;
    public const int Usage = 1;
    public const int BadEntryPoint = 2;
    public const int CandidateThrew = 3;
    public const int OutOfMemory = 4;
}
