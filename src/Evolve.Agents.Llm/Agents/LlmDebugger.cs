namespace Evolve.Agents.Llm;

/// <summary>
/// Repairs a program that did not compile or crashed, one attempt per call (transcript call = attempt − 1). An
/// unusable reply or a rejected request is a failed attempt with its reason; the loop decides whether to try again.
/// </summary>
public sealed class LlmDebugger(LlmOptions options, LlmChatClient client) : IDebugger
{
    public async Task<DebugOutcome> RepairAsync(DebugRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Attempt < 1) throw new ArgumentOutOfRangeException(nameof(request), request.Attempt, "Debug attempts are numbered from 1.");
        var settings = options.For(LlmAgentKind.Debugger);
        var call = new LlmCall(LlmAgentKind.Debugger, request.Round, request.Attempt - 1, settings, AgentPrompts.Debug(request));
        try
        {
            var result = await client.CompleteAsync(call, reply => ProposalParser.ParseProgram(reply.Text, reply.CutOff), cancellationToken)
                .ConfigureAwait(false);
            return result.Accepted
                ? DebugOutcome.Success(result.Value!, request.Attempt, call.Model, result.Reply.Usage)
                : DebugOutcome.Failure(result.Rejection!, request.Attempt, call.Model, result.Reply.Usage);
        }
        catch (LlmRequestException e) when (!e.IsConfigurationProblem)
        {
            return DebugOutcome.Failure(e.Message, request.Attempt, call.Model);
        }
    }
}
