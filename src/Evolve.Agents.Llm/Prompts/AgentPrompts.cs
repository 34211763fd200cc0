using System.Globalization;
using System.Text;
using Evolve.Core;
using Evolve.Core.Transcripts;

namespace Evolve.Agents.Llm;

/// <summary>Prompts of the debugger, novelty judge, analyzer and rubric judge.</summary>
public static class AgentPrompts
{
    private const int MaxTailChars = 2_000;

    public static IReadOnlyList<TranscriptMessage> Debug(DebugRequest request) =>
    [
        new TranscriptMessage("system",
            "You repair C# programs that fail to compile or crash. Make the smallest change that fixes the failure and keep " +
            "the program's idea, entry point and output contract. Answer with the whole repaired program inside " +
            "<program>…</program> and nothing else."),
        new TranscriptMessage("user",
            "## Task\n" + request.TaskStatement.Trim() + "\n\n## Failing program\n" + PromptText.Code(request.Code) + "\n" +
            (request.Diagnostics.Count > 0
                ? "## Compiler diagnostics\n" + string.Join("\n", request.Diagnostics) + "\n\n"
                : "") +
            (request.RuntimeError is { Length: > 0 } error
                ? "## Runtime error\n" + PromptText.Tail(error, MaxTailChars) + "\n\n"
                : "") +
            (request.Attempt > 1 ? $"This is repair attempt {request.Attempt}; the earlier attempts did not fix it.\n\n" : "") +
            "Answer with:\n<program>\nthe complete repaired program\n</program>\n"),
    ];

    public const string NoveltyFormat = "{\"novel\": true or false, \"reason\": \"one sentence\"}";

    public static IReadOnlyList<TranscriptMessage> Novelty(NoveltyJudgeRequest request)
    {
        var similar = new StringBuilder();
        foreach (var s in request.Similar)
        {
            similar.Append(CultureInfo.InvariantCulture, $"### {s.Node.NodeId} \"{s.Node.Name}\" (similarity {s.Similarity:0.000})\n");
            similar.Append("Motivation: ").Append(s.Node.Motivation.Trim()).Append('\n').Append(PromptText.Code(s.Node.Code)).Append('\n');
        }
        return
        [
            new TranscriptMessage("system",
                "You decide whether a candidate program is meaningfully new compared with programs already evaluated. It is " +
                "new when it tries an idea or parameter setting that could change the result; it is a duplicate when it only " +
                "renames, reformats, reorders or restates an existing program. Answer with one JSON object and nothing else."),
            new TranscriptMessage("user",
                "## Task\n" + request.TaskStatement.Trim() + "\n\n## Candidate \"" + request.Candidate.Name + "\"\nMotivation: " +
                request.Candidate.Motivation.Trim() + "\n" + PromptText.Code(request.Candidate.Code) + "\n## Existing programs it is very similar to\n" +
                similar + "Answer with " + NoveltyFormat + "\n"),
        ];
    }

    public const string AnalysisFormat =
        "{\"summary\": \"two sentences: what happened and why\", \"insights\": [\"reusable lesson\", …], \"next_steps\": \"what to try next\"}";

    public static IReadOnlyList<TranscriptMessage> Analysis(AnalysisRequest request)
    {
        var c = request.Candidate;
        var text = new StringBuilder();
        text.Append("## Task\n").Append(request.TaskStatement.Trim()).Append("\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Primary metric: {request.PrimaryMetric} (higher is better). Stages in the cascade: {request.TotalStages}.\n\n");
        text.Append("## Candidate\n").Append(PromptText.NodeHeader(c)).Append(PromptText.Code(c.Code)).Append('\n');
        if (request.Cascade is { } cascade)
        {
            text.Append(CultureInfo.InvariantCulture, $"## Evaluation: {cascade.Status.ToWireName()}, stopped at stage '{cascade.StageReached}'{(cascade.Error is null ? "" : ": " + cascade.Error)}\n");
            foreach (var stage in cascade.Stages)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"### Stage {stage.StageIndex} '{stage.Stage}': {(stage.Passed ? "passed" : "failed")} ({stage.Status.ToWireName()}) in {stage.Duration.TotalSeconds:0.###} s\n");
                text.Append("Metrics: ").Append(PromptText.Metrics(stage.Metrics)).Append('\n');
                if (stage.Error is { Length: > 0 } error) text.Append("Error: ").Append(error).Append('\n');
                if (stage.StdoutTail.Length > 0) text.Append("stdout (tail):\n").Append(PromptText.Tail(stage.StdoutTail, MaxTailChars)).Append('\n');
                if (stage.StderrTail.Length > 0) text.Append("stderr (tail):\n").Append(PromptText.Tail(stage.StderrTail, MaxTailChars)).Append('\n');
            }
            text.Append('\n');
        }
        else
        {
            text.Append("## Evaluation: none ran (the candidate failed before evaluation).\n\n");
        }
        if (request.BestParent is { } parent)
        {
            text.Append("## Best parent, for comparison\n").Append(PromptText.NodeHeader(parent));
            if (parent.Score is { } ps && c.Score is { } cs)
                text.Append(CultureInfo.InvariantCulture, $"Change in {request.PrimaryMetric}: {cs - ps:+0.######;-0.######;0}\n");
            text.Append('\n');
        }
        text.Append("Write a compact report. Insights must be reusable lessons for later rounds (what helps or hurts and by how much), ");
        text.Append("not a restatement of the numbers. Answer with ").Append(AnalysisFormat).Append('\n');
        return
        [
            new TranscriptMessage("system",
                "You analyse the outcome of one experiment in an automated research loop: what worked, what failed, which " +
                "lessons carry over, and what to try next. Be specific and brief. Answer with one JSON object and nothing else."),
            new TranscriptMessage("user", text.ToString()),
        ];
    }

    public const string JudgeFormat = "{\"score\": a number from 0 to 1, \"rationale\": \"one or two sentences\"}";

    public static IReadOnlyList<TranscriptMessage> Judge(JudgeRequest request) =>
    [
        new TranscriptMessage("system",
            "You grade a candidate program against a rubric. Give a score from 0 (fails the rubric) to 1 (fully meets it). " +
            "Answer with one JSON object and nothing else."),
        new TranscriptMessage("user",
            "## Task\n" + request.TaskStatement.Trim() + "\n\n## Rubric\n" + request.Rubric.Trim() + "\n\n## Candidate\n" +
            PromptText.NodeHeader(request.Candidate) + PromptText.Code(request.Candidate.Code) + "\nAnswer with " + JudgeFormat + "\n"),
    ];
}
