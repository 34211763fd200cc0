using Evolve.Durable.Protocol;

namespace Evolve.Durable;

/// <summary>Why an activity, child workflow or workflow failed, as recorded in the history.</summary>
public sealed record WorkflowTaskFailureDetails(
    string ErrorType,
    string ErrorMessage,
    string? StackTrace = null,
    WorkflowTaskFailureDetails? InnerFailure = null,
    bool IsNonRetriable = false)
{
    /// <summary>True when the failure (or an inner one) was caused by an exception of type <typeparamref name="T"/>.</summary>
    public bool IsCausedBy<T>() where T : Exception =>
        ErrorType == typeof(T).FullName || (InnerFailure?.IsCausedBy<T>() ?? false);

    public override string ToString() => $"{ErrorType}: {ErrorMessage}";

    public static WorkflowTaskFailureDetails FromException(Exception exception) => new(
        exception.GetType().FullName ?? exception.GetType().Name,
        exception.Message,
        exception.StackTrace,
        exception.InnerException is { } inner ? FromException(inner) : null);

    internal static WorkflowTaskFailureDetails? FromProto(TaskFailureDetails? proto) => proto is null
        ? null
        : new WorkflowTaskFailureDetails(proto.ErrorType, proto.ErrorMessage, proto.StackTrace,
            FromProto(proto.InnerFailure), proto.IsNonRetriable);

    internal TaskFailureDetails ToProto()
    {
        var proto = new TaskFailureDetails { ErrorType = ErrorType, ErrorMessage = ErrorMessage, IsNonRetriable = IsNonRetriable };
        if (StackTrace is not null) proto.StackTrace = StackTrace;
        if (InnerFailure is not null) proto.InnerFailure = InnerFailure.ToProto();
        return proto;
    }
}

/// <summary>Thrown into workflow code when an activity or child workflow it awaited failed.</summary>
public sealed class WorkflowTaskFailedException(string message, WorkflowTaskFailureDetails failureDetails)
    : Exception(message)
{
    public WorkflowTaskFailureDetails FailureDetails { get; } = failureDetails;
}
