using System.Globalization;
using System.Text;
using Evolve.Durable.Protocol;

namespace Evolve.Durable.Client;

/// <summary>
/// Renders a history as a readable timeline, one line per event:
/// <c>time  kind  name  ids  payload</c> (payloads shortened), for <c>evolve workflows history</c>.
/// </summary>
public static class WorkflowHistoryFormatter
{
    public const int DefaultPayloadLength = 80;

    public static string FormatTimeline(IEnumerable<HistoryEvent> events, int maxPayloadLength = DefaultPayloadLength)
    {
        var text = new StringBuilder();
        foreach (var e in events)
        {
            text.AppendLine(FormatLine(e, maxPayloadLength));
        }
        return text.ToString();
    }

    public static string FormatLine(HistoryEvent e, int maxPayloadLength = DefaultPayloadLength)
    {
        var time = e.Timestamp is { } ts ? ts.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) : "-".PadRight(23);
        var (name, ids, payload) = Describe(e);
        var line = new StringBuilder()
            .Append(time).Append("  ")
            .Append(e.EventTypeCase.ToString().PadRight(30)).Append(' ')
            .Append((name ?? "").PadRight(24)).Append(' ')
            .Append($"#{e.EventId}");
        if (ids.Length > 0) line.Append(' ').Append(ids);
        if (!string.IsNullOrEmpty(payload)) line.Append("  ").Append(Shorten(payload, maxPayloadLength));
        return line.ToString().TrimEnd();
    }

    private static (string? Name, string Ids, string? Payload) Describe(HistoryEvent e) => e.EventTypeCase switch
    {
        HistoryEvent.EventTypeOneofCase.ExecutionStarted => (e.ExecutionStarted.Name,
            $"instance={e.ExecutionStarted.WorkflowInstance?.InstanceId}" +
            (e.ExecutionStarted.ParentInstance is { } parent ? $" parent={parent.WorkflowInstance?.InstanceId}:{parent.TaskScheduledId}" : ""),
            e.ExecutionStarted.Input),
        HistoryEvent.EventTypeOneofCase.ExecutionCompleted => (e.ExecutionCompleted.WorkflowStatus.ToString(), "",
            e.ExecutionCompleted.FailureDetails is { } f ? $"{f.ErrorType}: {f.ErrorMessage}" : e.ExecutionCompleted.Result),
        HistoryEvent.EventTypeOneofCase.ExecutionTerminated => (null, "", e.ExecutionTerminated.Input),
        HistoryEvent.EventTypeOneofCase.TaskScheduled => (e.TaskScheduled.Name, $"exec={e.TaskScheduled.TaskExecutionId}", e.TaskScheduled.Input),
        HistoryEvent.EventTypeOneofCase.TaskCompleted => (null, $"task={e.TaskCompleted.TaskScheduledId}", e.TaskCompleted.Result),
        HistoryEvent.EventTypeOneofCase.TaskFailed => (null, $"task={e.TaskFailed.TaskScheduledId}",
            $"{e.TaskFailed.FailureDetails?.ErrorType}: {e.TaskFailed.FailureDetails?.ErrorMessage}"),
        HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated => (e.ChildWorkflowInstanceCreated.Name,
            $"child={e.ChildWorkflowInstanceCreated.InstanceId}", e.ChildWorkflowInstanceCreated.Input),
        HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCompleted => (null, $"task={e.ChildWorkflowInstanceCompleted.TaskScheduledId}",
            e.ChildWorkflowInstanceCompleted.Result),
        HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceFailed => (null, $"task={e.ChildWorkflowInstanceFailed.TaskScheduledId}",
            $"{e.ChildWorkflowInstanceFailed.FailureDetails?.ErrorType}: {e.ChildWorkflowInstanceFailed.FailureDetails?.ErrorMessage}"),
        HistoryEvent.EventTypeOneofCase.TimerCreated => (e.TimerCreated.OriginCase.ToString(), "",
            $"fireAt={e.TimerCreated.FireAt?.ToDateTime():O}"),
        HistoryEvent.EventTypeOneofCase.TimerFired => (null, $"timer={e.TimerFired.TimerId}", null),
        HistoryEvent.EventTypeOneofCase.EventSent => (e.EventSent.Name, $"to={e.EventSent.InstanceId}", e.EventSent.Input),
        HistoryEvent.EventTypeOneofCase.EventRaised => (e.EventRaised.Name, "", e.EventRaised.Input),
        HistoryEvent.EventTypeOneofCase.ContinueAsNew => (null, "", e.ContinueAsNew.Input),
        HistoryEvent.EventTypeOneofCase.ExecutionSuspended => (null, "", e.ExecutionSuspended.Input),
        HistoryEvent.EventTypeOneofCase.ExecutionResumed => (null, "", e.ExecutionResumed.Input),
        _ => (null, "", null),
    };

    private static string Shorten(string text, int max)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= max ? oneLine : string.Concat(oneLine.AsSpan(0, Math.Max(0, max - 1)), "…");
    }
}
