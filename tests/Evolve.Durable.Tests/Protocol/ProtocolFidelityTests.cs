using Evolve.Durable.Protocol;
using Google.Protobuf.Reflection;

namespace Evolve.Durable.Tests.Protocol;

/// <summary>
/// Guards the wire contract with daprd: the service path, method names and the field numbers that
/// Dapr's definition gives. An accidental edit of the .proto files fails here, not in production.
/// </summary>
public sealed class ProtocolFidelityTests
{
    [Fact]
    public void Service_has_no_package_so_the_wire_path_matches_daprd()
    {
        var service = TaskHubSidecarReflection.Descriptor.Services.Single();
        Assert.Equal("TaskHubSidecarService", service.FullName);
        Assert.Equal(
            ["Hello", "StartInstance", "GetInstance", "WaitForInstanceStart", "WaitForInstanceCompletion", "RaiseEvent",
             "TerminateInstance", "SuspendInstance", "ResumeInstance", "PurgeInstances", "GetWorkItems", "CompleteActivityTask",
             "CompleteOrchestratorTask", "CompleteWorkflowTask", "RerunWorkflowFromEvent", "ListInstanceIDs", "GetInstanceHistory"],
            service.Methods.Select(m => m.Name));
        var getWorkItems = service.FindMethodByName("GetWorkItems");
        Assert.True(getWorkItems.IsServerStreaming);
        Assert.Equal("WorkItem", getWorkItems.OutputType.FullName);
    }

    [Fact]
    public void History_event_kinds_keep_daprs_field_numbers()
    {
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["eventId"] = 1, ["timestamp"] = 2, ["executionStarted"] = 3, ["executionCompleted"] = 4, ["executionTerminated"] = 5,
                ["taskScheduled"] = 6, ["taskCompleted"] = 7, ["taskFailed"] = 8, ["childWorkflowInstanceCreated"] = 9,
                ["childWorkflowInstanceCompleted"] = 10, ["childWorkflowInstanceFailed"] = 11, ["timerCreated"] = 12, ["timerFired"] = 13,
                ["workflowStarted"] = 14, ["workflowCompleted"] = 15, ["eventSent"] = 16, ["eventRaised"] = 17, ["continueAsNew"] = 20,
                ["executionSuspended"] = 21, ["executionResumed"] = 22, ["router"] = 30, ["executionStalled"] = 31,
                ["detachedWorkflowInstanceCreated"] = 32,
            },
            Fields(HistoryEvent.Descriptor));
    }

    [Fact]
    public void Work_items_requests_and_actions_keep_daprs_field_numbers()
    {
        Assert.Equal(new Dictionary<string, int> { ["workflowRequest"] = 1, ["activityRequest"] = 2, ["completionToken"] = 10 },
            Fields(WorkItem.Descriptor));
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["instanceId"] = 1, ["executionId"] = 2, ["pastEvents"] = 3, ["newEvents"] = 4, ["requiresHistoryStreaming"] = 6,
                ["router"] = 7, ["propagatedHistory"] = 8, ["cachedHistory"] = 9,
            },
            Fields(WorkflowRequest.Descriptor));
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["id"] = 1, ["scheduleTask"] = 2, ["createChildWorkflow"] = 3, ["createTimer"] = 4, ["sendEvent"] = 5,
                ["completeWorkflow"] = 6, ["terminateWorkflow"] = 7, ["router"] = 9, ["workflowVersionNotAvailable"] = 10,
                ["createDetachedWorkflow"] = 11,
            },
            Fields(WorkflowAction.Descriptor));
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["name"] = 1, ["version"] = 2, ["input"] = 3, ["workflowInstance"] = 4, ["taskId"] = 5, ["parentTraceContext"] = 6,
                ["taskExecutionId"] = 7, ["propagatedHistory"] = 8,
            },
            Fields(ActivityRequest.Descriptor));
    }

    [Fact]
    public void Orchestration_status_values_match_daprs_enum()
    {
        var status = WorkflowTypesReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(OrchestrationStatus));
        Assert.Equal(
            ["ORCHESTRATION_STATUS_RUNNING", "ORCHESTRATION_STATUS_COMPLETED", "ORCHESTRATION_STATUS_CONTINUED_AS_NEW",
             "ORCHESTRATION_STATUS_FAILED", "ORCHESTRATION_STATUS_CANCELED", "ORCHESTRATION_STATUS_TERMINATED",
             "ORCHESTRATION_STATUS_PENDING", "ORCHESTRATION_STATUS_SUSPENDED", "ORCHESTRATION_STATUS_STALLED"],
            status.Values.OrderBy(v => v.Number).Select(v => v.Name));
        Assert.Equal(Enumerable.Range(0, 9), status.Values.Select(v => v.Number).Order());
    }

    private static Dictionary<string, int> Fields(MessageDescriptor descriptor) =>
        descriptor.Fields.InDeclarationOrder().ToDictionary(f => f.Name, f => f.FieldNumber);
}
