namespace Evolve.Durable.Replay;

/// <summary>A reason the whole turn fails the workflow (not an exception inside workflow code).</summary>
internal sealed class WorkflowTurnFailure(string errorType, string message) : Exception(message)
{
    public const string NonDeterministic = "NonDeterministicWorkflow";
    public const string NotRegistered = "WorkflowNotRegistered";
    public const string InvalidInput = "InvalidWorkflowInput";
    public const string NonDurableAwait = "NonDurableAwait";
    public const string InvalidHistory = "InvalidWorkflowHistory";

    public string ErrorType { get; } = errorType;
}
