using Evolve.Torch.Tasks;

namespace Evolve.Torch.Tests;

public class TaskTests
{
    [Fact]
    public void MQAR_scores_each_query_key_with_the_value_it_was_paired_with()
    {
        var task = new MqarTask(pairs: 5, sequenceLength: 30, keyVocab: 10, valueVocab: 10, queries: 3);
        var batch = task.Sample(4, new Random(1));
        for (int row = 0; row < 4; row++)
        {
            var inputs = batch.Inputs.AsSpan(row * 30, 30).ToArray();
            var targets = batch.Targets.AsSpan(row * 30, 30).ToArray();
            var pairs = Enumerable.Range(0, 5).ToDictionary(i => inputs[2 * i], i => inputs[2 * i + 1]);
            var scored = Enumerable.Range(0, 30).Where(t => targets[t] != SequenceBatch.IgnoreTarget).ToList();
            Assert.Equal(3, scored.Count);
            Assert.All(scored, t => Assert.Equal(pairs[inputs[t]], targets[t]));
            Assert.All(inputs.Concat(targets.Where(t => t >= 0)), token => Assert.InRange(token, 0, task.VocabSize - 1));
        }
    }

    [Fact]
    public void Selective_copying_asks_for_the_scattered_tokens_in_order()
    {
        var task = new SelectiveCopyTask(contentTokens: 4, sequenceLength: 20, contentVocab: 8);
        var batch = task.Sample(1, new Random(2));
        var content = batch.Inputs.Take(16).Where(t => t >= 2).ToArray();
        var asked = batch.Targets.Where(t => t != SequenceBatch.IgnoreTarget).ToArray();
        Assert.Equal(4, content.Length);
        Assert.Equal(content, asked);
        Assert.Equal(1, batch.Inputs[16]); // the separator
    }

    [Fact]
    public void Induction_asks_for_the_token_that_followed_the_trigger()
    {
        var task = new InductionHeadsTask(sequenceLength: 32, vocabSize: 16);
        var batch = task.Sample(1, new Random(3));
        int first = Array.IndexOf(batch.Inputs, 1L);
        Assert.Equal(1, batch.Inputs[31]);
        Assert.Equal(batch.Inputs[first + 1], batch.Targets[31]);
        Assert.Single(batch.Targets, t => t != SequenceBatch.IgnoreTarget);
    }

    [Fact]
    public void Text_corpus_is_reproducible_and_evaluates_on_held_out_text()
    {
        var task = new TextCorpusTask(sequenceLength: 32, corpusCharacters: 20_000);
        Assert.Equal(task.Text, new TextCorpusTask(32, 20_000).Text);
        Assert.Contains(" the ", task.Text);
        var train = task.Sample(2, new Random(4));
        var eval = ((ISequenceTask)task).SampleEvaluation(2, new Random(4));
        Assert.NotEqual(train.Inputs, eval.Inputs);
        Assert.Equal(train.Inputs.Skip(1).Take(31), train.Targets.Take(31));
    }

    [Fact]
    public void The_same_random_state_gives_the_same_batch()
    {
        var task = new MqarTask(pairs: 4, sequenceLength: 16);
        Assert.Equal(task.Sample(3, new Random(5)).Inputs, task.Sample(3, new Random(5)).Inputs);
    }

    [Fact]
    public void Impossible_settings_are_refused_with_what_to_change()
    {
        var error = Assert.Throws<ArgumentException>(() => new MqarTask(pairs: 8, sequenceLength: 16));
        Assert.Contains("use at least 31", error.Message);
    }
}
