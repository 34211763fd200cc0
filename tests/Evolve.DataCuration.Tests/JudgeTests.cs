using Evolve.DataCuration.Evolution;
using Microsoft.Extensions.Logging.Abstractions;

namespace Evolve.DataCuration.Tests;

public sealed class JudgeTests
{
    [Theory]
    [InlineData("""{"score": 7, "issues": ["x"]}""", true, 7)]
    [InlineData("""Here you go: {"score": "9", "issues": []} hope it helps""", true, 9)]
    [InlineData("""{"score": 11, "issues": []}""", false, 0)]
    [InlineData("""{"rating": 5}""", false, 0)]
    [InlineData("I think it is a 7.", false, 0)]
    [InlineData("""{"score": 5, "issues": [""" , false, 0)]
    public void Replies_are_read_only_when_they_carry_a_score_from_1_to_10(string reply, bool usable, double score)
    {
        Assert.Equal(usable, CurationJudge.TryParse(reply, out var parsed, out _));
        if (usable) Assert.Equal(score, parsed);
    }

    [Fact]
    public async Task Unusable_replies_and_failing_requests_are_counted_not_scored()
    {
        var chat = new ScriptedChatClient(i => i switch
        {
            0 => """{"score": 4, "issues": ["Cookie banner kept", "cookie banner kept!"]}""",
            1 => "no idea",
            _ => throw new HttpRequestException("endpoint down"),
        });
        var judge = new CurationJudge(chat, NullLogger<CurationJudge>.Instance);
        judge.AddKnownIssues(["Cookie Banner kept"]);
        var pairs = Enumerable.Range(0, 3).Select(i => new JudgedPair($"d{i}", "<p>before</p>", i == 2 ? null : "before")).ToList();

        var report = await judge.JudgeAsync(pairs, 100, default);

        Assert.Equal((4.0, 1, 2), (report.MeanScore, report.Rated, report.Unusable));
        Assert.Equal(["Cookie banner kept"], report.Issues);
        Assert.Empty(report.NewIssues);
        Assert.Contains("AFTER: (the document was dropped)", chat.Requests[2]);
    }
}
