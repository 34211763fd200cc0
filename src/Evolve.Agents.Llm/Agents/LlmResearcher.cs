using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.Agents.Llm;

/// <summary>
/// Proposes a candidate with a model: one call (transcript call 0) in full or diff mode; a diff whose SEARCH text does
/// not match is a recorded failure and gets ONE more call (call 1) that shows the model the mismatch and the program.
/// Unusable replies (garbage, cut off, unmatched twice) and requests the endpoint rejects are failure outcomes with the
/// reason, so the round records them and the campaign goes on; outages throw <see cref="AgentUnavailableException"/>.
/// </summary>
public sealed class LlmResearcher(LlmOptions options, LlmChatClient client, ILogger<LlmResearcher>? logger = null) : IResearcher
{
    public const string ResearcherKind = "llm";
    private readonly ILogger _logger = logger ?? NullLogger<LlmResearcher>.Instance;

    public string Kind => ResearcherKind;

    public async Task<ResearchOutcome> ProposeAsync(ResearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = ResearcherModelChooser.Choose(options, request.Seed, request.Round);
        var model = settings.Model!;
        var mode = options.Researcher.Mode;
        var messages = ResearchPrompt.Build(request, mode, options.Researcher.PromptTokenBudget);
        var usage = TokenUsage.None;
        try
        {
            var first = await AskAsync(request, settings, 0, messages, cancellationToken).ConfigureAwait(false);
            usage = usage.Add(first.Result.Reply.Usage);
            if (first.Result.Accepted) return Success(first.Result.Value!, model, usage);
            if (first.Mismatches is null) return ResearchOutcome.Failure(first.Result.Rejection!, Kind, model, usage);

            _logger.LogInformation("Round {Round}: SEARCH text did not match; asking {Model} once more", request.Round, model);
            var retryMessages = ResearchPrompt.DiffRetry(messages, first.Result.Reply.Text, first.Mismatches, request.Root.Code);
            var second = await AskAsync(request, settings, 1, retryMessages, cancellationToken).ConfigureAwait(false);
            usage = usage.Add(second.Result.Reply.Usage);
            return second.Result.Accepted
                ? Success(second.Result.Value!, model, usage)
                : ResearchOutcome.Failure($"{first.Result.Rejection}; after one retry: {second.Result.Rejection}", Kind, model, usage);
        }
        catch (LlmRequestException e) when (!e.IsConfigurationProblem)
        {
            return ResearchOutcome.Failure(e.Message, Kind, model, usage);
        }
    }

    private ResearchOutcome Success(ParsedProposal proposal, string model, TokenUsage usage) =>
        ResearchOutcome.Success(new ResearchProposal(proposal.Name, proposal.Motivation, proposal.Program!, proposal.Mode, Kind, model, usage));

    private async Task<(LlmResult<ParsedProposal> Result, IReadOnlyList<string>? Mismatches)> AskAsync(
        ResearchRequest request, LlmEndpointSettings settings, int call, IReadOnlyList<Core.Transcripts.TranscriptMessage> messages, CancellationToken cancellationToken)
    {
        IReadOnlyList<string>? mismatches = null;
        var result = await client.CompleteAsync(new LlmCall(LlmAgentKind.Researcher, request.Round, call, settings, messages), reply =>
        {
            var parsed = ProposalParser.Parse(reply.Text, reply.CutOff);
            if (!parsed.Accepted || parsed.Value!.Mode == ProposalMode.Full) return parsed;
            var applied = SearchReplace.Apply(request.Root.Code, parsed.Value.Blocks);
            if (!applied.Applied)
            {
                mismatches = applied.Mismatches;
                return ReplyParse<ParsedProposal>.Reject("the diff does not apply: " + string.Join("; ", applied.Mismatches));
            }
            if (ProgramCompleteness.Problem(applied.Program!, replyCutOff: false) is { } problem)
                return ReplyParse<ParsedProposal>.Reject("the diff applies but leaves an incomplete program: " + problem);
            return ReplyParse<ParsedProposal>.Accept(parsed.Value with { Program = applied.Program });
        }, cancellationToken).ConfigureAwait(false);
        return (result, mismatches);
    }
}
