using System.Globalization;
using System.Text;
using Evolve.Core.Transcripts;

namespace Evolve.Agents.Llm;

/// <summary>
/// The researcher's prompt. The task, the program to improve and the answer format always go in; then, while the token
/// budget lasts, retrieved insights, the other good programs (with their code only when the whole program fits —
/// never half a program) and recent failures. What was left out is said, so the model knows the picture is partial.
/// </summary>
public static class ResearchPrompt
{
    public const string System =
        "You are a research engineer improving a C# program for an optimisation task. Each round you propose ONE " +
        "focused change to the given program that you expect to raise its score, motivated by the metrics, the " +
        "insights and the earlier attempts you are shown. Keep the program's entry point and output contract. Use " +
        "only pure computation (no files, network, processes, threads or reflection). Answer in exactly the requested " +
        "format, with nothing after the closing tag.";

    public static IReadOnlyList<TranscriptMessage> Build(ResearchRequest request, ProposalMode mode, int tokenBudget)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fixedPart = new StringBuilder();
        fixedPart.Append("## Task\n").Append(request.TaskStatement.Trim()).Append("\n\n");
        fixedPart.Append("## Program to improve\n").Append(PromptText.NodeHeader(request.Root)).Append(PromptText.Code(request.Root.Code)).Append('\n');
        var answer = AnswerSection(mode);

        var budget = tokenBudget - PromptText.ApproxTokens(System) - PromptText.ApproxTokens(fixedPart.ToString()) - PromptText.ApproxTokens(answer);
        var optional = new StringBuilder();
        var omitted = new List<string>();

        var insights = new StringBuilder();
        var insightsLeft = 0;
        foreach (var item in request.Cognition)
        {
            var line = $"- {item.Content.Trim()}\n";
            if (Fits(ref budget, line)) insights.Append(line);
            else insightsLeft++;
        }
        if (insights.Length > 0) optional.Append("## Insights from earlier rounds (most relevant first)\n").Append(insights).Append('\n');
        if (insightsLeft > 0) omitted.Add($"{insightsLeft} insight{(insightsLeft == 1 ? "" : "s")}");

        var context = new StringBuilder();
        var codeLeft = 0;
        var contextLeft = 0;
        foreach (var node in request.Context)
        {
            var header = PromptText.NodeHeader(node);
            var withCode = header + PromptText.Code(node.Code) + "\n";
            if (Fits(ref budget, withCode)) context.Append(withCode);
            else if (Fits(ref budget, header + "(code omitted to fit the prompt)\n\n"))
            {
                context.Append(header).Append("(code omitted to fit the prompt)\n\n");
                codeLeft++;
            }
            else contextLeft++;
        }
        if (context.Length > 0) optional.Append("## Other good programs, for inspiration or recombination (best first)\n").Append(context);
        if (codeLeft > 0) omitted.Add($"the code of {codeLeft} of those programs");
        if (contextLeft > 0) omitted.Add($"{contextLeft} further good program{(contextLeft == 1 ? "" : "s")}");

        var lessons = new StringBuilder();
        var lessonsLeft = 0;
        foreach (var node in request.Lessons)
        {
            var header = PromptText.NodeHeader(node) + "\n";
            if (Fits(ref budget, header)) lessons.Append(header);
            else lessonsLeft++;
        }
        if (lessons.Length > 0) optional.Append("## Recent failed attempts: do not repeat these mistakes\n").Append(lessons);
        if (lessonsLeft > 0) omitted.Add($"{lessonsLeft} failed attempt{(lessonsLeft == 1 ? "" : "s")}");
        if (omitted.Count > 0)
            optional.Append(CultureInfo.InvariantCulture, $"(Left out to fit the prompt: {string.Join(", ", omitted)}.)\n\n");

        return
        [
            new TranscriptMessage("system", System),
            new TranscriptMessage("user", fixedPart.ToString() + optional + answer),
        ];
    }

    /// <summary>The follow-up after SEARCH blocks did not match: what failed, and the exact program again.</summary>
    public static IReadOnlyList<TranscriptMessage> DiffRetry(IReadOnlyList<TranscriptMessage> first, string reply, IReadOnlyList<string> mismatches, string program) =>
    [
        .. first,
        new TranscriptMessage("assistant", reply),
        new TranscriptMessage("user",
            "Your edits could not be applied:\n" + string.Join("\n", mismatches.Select(m => "- " + m)) +
            "\n\nEvery SEARCH text must be copied character for character from the program below and match exactly one place. " +
            "Here is the program again:\n" + PromptText.Code(program) +
            "\nAnswer again in the same format:\n" + ProposalParser.DiffFormat),
    ];

    private static string AnswerSection(ProposalMode mode) => mode == ProposalMode.Diff
        ? "## Your answer\nPropose one change as SEARCH/REPLACE edits of the program to improve. Each SEARCH text is copied " +
          "exactly from that program (whole lines, enough of them to match one place). Format:\n" + ProposalParser.DiffFormat + "\n"
        : "## Your answer\nPropose one change and give the whole new program (never abbreviate it with comments like \"rest unchanged\"). Format:\n" +
          ProposalParser.FullFormat + "\n";

    private static bool Fits(ref int budget, string text)
    {
        var cost = PromptText.ApproxTokens(text);
        if (cost > budget) return false;
        budget -= cost;
        return true;
    }
}
