namespace Evolve.Agents.Llm.Tests;

public sealed class ParserTests
{
    private const string Program = "public static class P\n{\n    public static int Run() => 1;\n}\n";

    [Fact]
    public void Common_deviations_are_accepted()
    {
        var labelled = ProposalParser.Parse("Name: Faster run\nMotivation: Return a constant; uses List<int> nowhere.\n\n```cs\n" + Program + "```", cutOff: false);
        Assert.True(labelled.Accepted, labelled.Rejection);
        Assert.Equal("Faster run", labelled.Value!.Name);
        Assert.Equal("Return a constant; uses List<int> nowhere.", labelled.Value.Motivation);
        Assert.Equal(Program, labelled.Value.Program);

        var unclosed = ProposalParser.Parse("<NAME>x</NAME>\n<Motivation>keeps List<int> in the text\n<PROGRAM>\n" + Program, cutOff: false);
        Assert.True(unclosed.Accepted, unclosed.Rejection);
        Assert.Equal("keeps List<int> in the text", unclosed.Value!.Motivation);
        Assert.Equal(Program, unclosed.Value.Program);

        var nameless = ProposalParser.Parse("<motivation>Shrink the safety margin to gain radius everywhere</motivation><program>" + Program + "</program>", cutOff: false);
        Assert.Equal("Shrink the safety margin to gain", nameless.Value!.Name);
    }

    [Fact]
    public void Unusable_replies_are_rejected_with_what_was_expected()
    {
        Assert.Contains("empty", ProposalParser.Parse("  ", false).Rejection, StringComparison.Ordinal);
        Assert.Contains("neither a <program> nor SEARCH/REPLACE", ProposalParser.Parse("<motivation>m</motivation> no code here", false).Rejection, StringComparison.Ordinal);
        Assert.Contains("not closed with '>>>>>>> REPLACE'",
            ProposalParser.Parse("<motivation>m</motivation>\n<<<<<<< SEARCH\na\n=======\nb\n", false).Rejection, StringComparison.Ordinal);
        Assert.Contains("2 '}' but only 1 '{'", ProposalParser.ParseProgram("<program>class A { } }</program>", false).Rejection, StringComparison.Ordinal);
        // Braces in strings and comments do not count.
        Assert.True(ProposalParser.ParseProgram("<program>class A { string s = \"{{\"; /* { */ }</program>", false).Accepted);
    }

    [Fact]
    public void Search_text_must_match_exactly_one_place()
    {
        var twice = SearchReplace.Apply("a\nb\na\n", [new SearchReplaceBlock("a", "c")]);
        Assert.False(twice.Applied);
        Assert.Contains("occurs 2 times", Assert.Single(twice.Mismatches), StringComparison.Ordinal);

        var sequential = SearchReplace.Apply("x = 1;\ny = 2;\n", [new SearchReplaceBlock("x = 1;", "x = 3;"), new SearchReplaceBlock("x = 3;\ny = 2;", "z = 0;")]);
        Assert.Equal("z = 0;\n", sequential.Program);
    }
}
