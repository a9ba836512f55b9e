using System.Collections.Generic;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class SeqLengthWarmupTests
{
    [Theory]
    [InlineData(0.0, 8)]
    [InlineData(0.1, 24)]               // 0.1 / 0.3 x 7 updates = 2.33 -> 2 steps of 8
    [InlineData(0.12857142857142856, 32)] // exactly 3/7 of the warmup
    [InlineData(0.29, 56)]              // 6.77 -> 6 steps: 8 + 6 x 8
    [InlineData(0.3, 64)]
    [InlineData(0.9, 64)]
    public void TheLengthGrowsInStepsOverTheWarmup(double progress, long expected)
        => SeqLengthWarmup.SequenceLength(progress, 0.3, 8, 64, 8).Should().Be(expected);

    [Fact]
    public void TruncateKeepsTheFirstPositionsOfInputTargetAndExtras()
    {
        using var input = arange(20, dtype: ScalarType.Int64).reshape(2, 10);
        using var target = (arange(20, dtype: ScalarType.Int64) + 100).reshape(2, 10);
        using var mask = ones(2, 10, dtype: ScalarType.Int64);
        using var weights = ones(2);
        var batch = new Batch(input, target, tokens: 20, extras: new Dictionary<string, Tensor> { ["attention_mask"] = mask, ["weights"] = weights });
        var result = SeqLengthWarmup.Truncate(batch, 4);
        Longs(result.Input).Should().Equal(0, 1, 2, 3, 10, 11, 12, 13);
        Longs(result.Target).Should().Equal(100, 101, 102, 103, 110, 111, 112, 113);
        result.Extras["attention_mask"].shape.Should().Equal(2, 4);
        result.Extras["weights"].Should().BeSameAs(weights);
        result.Tokens.Should().Be(8);
        SeqLengthWarmup.Truncate(batch, 10).Should().BeSameAs(batch);
    }

    [Fact]
    public void ReshapeRegroupsTheWholeBatchAsComposerDoes()
    {
        // Composer's set_batch_sequence_length(truncate=False): view(-1), keep (20 // 4) * 4 = 20
        // tokens, view(-1, 4): rows straddle the old sequences and nothing is lost.
        using var input = arange(20, dtype: ScalarType.Int64).reshape(2, 10);
        using var target = (arange(20, dtype: ScalarType.Int64) + 100).reshape(2, 10);
        var result = SeqLengthWarmup.Reshape(new Batch(input, target, tokens: 20), 4);
        result.Input.shape.Should().Equal(5, 4);
        Longs(result.Input).Should().Equal(Enumerable.Range(0, 20).Select(v => (long)v));
        Longs(result.Target).Should().Equal(Longs(result.Input).Select(v => v + 100));
        result.Tokens.Should().Be(20);
        // 2 × 10 tokens into rows of 6: (20 // 6) * 6 = 18 kept, the last 2 tokens of the batch dropped.
        var six = SeqLengthWarmup.Reshape(new Batch(input, target, tokens: 20), 6);
        six.Input.shape.Should().Equal(3, 6);
        Longs(six.Input).Should().Equal(Enumerable.Range(0, 18).Select(v => (long)v));
    }

    [Fact]
    public void InsideAFourBatchRunTheLengthFollowsTheSchedule()
    {
        using var g = new Generator(1);
        using var x = randint(0, 11, new long[] { 16, 32 }, generator: g);
        using var y = randint(0, 11, new long[] { 16, 32 }, generator: g);
        using var model = new TokenNet();
        var algorithm = new SeqLengthWarmupAlgorithm(new SeqLengthWarmupOptions { Duration = 0.5 });
        var batches = Run(model, x, y, algorithm, batchSize: 4, max: "4ba", tokensOf: t => t.numel());
        // (32 - 8) / 8 = 3 updates over the first half: progress 0 -> 8, 0.25 -> 16, 0.5 and after -> 32.
        batches.Select(b => b.input.shape[1]).Should().Equal(8, 16, 32, 32);
        batches.Select(b => b.target.shape[1]).Should().Equal(8, 16, 32, 32);
        Longs(batches[1].input).Should().Equal(Longs(x.narrow(0, 4, 4).narrow(1, 0, 16)));
        algorithm.LengthAt(0.25, 32).Should().Be(16);
        algorithm.LengthAt(0.25, 12).Should().Be(12);
    }

    [Fact]
    public void ReshapeModeGrowsTheBatchInsideARunWithMicrobatches()
    {
        using var g = new Generator(1);
        using var x = randint(0, 11, new long[] { 8, 32 }, generator: g);
        using var y = randint(0, 11, new long[] { 8, 32 }, generator: g);
        using var model = new TokenNet();
        var algorithm = new SeqLengthWarmupAlgorithm(new SeqLengthWarmupOptions { Duration = 1, Truncate = false });
        // Duration 1: 3 updates; progress 0 -> 8 ([4, 32] becomes [16, 8]), 0.5 -> 16 ([8, 16]).
        var batches = Run(model, x, y, algorithm, batchSize: 4, max: "2ba", microbatches: 2, tokensOf: t => t.numel());
        batches.Select(b => b.input.shape).Should().BeEquivalentTo(new[] { new long[] { 16, 8 }, new long[] { 8, 16 } }, o => o.WithStrictOrdering());
        Longs(batches[0].input).Should().Equal(Longs(x.narrow(0, 0, 4)));
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new SeqLengthWarmupOptions().Validate();
        var act = () => new SeqLengthWarmupAlgorithm(new SeqLengthWarmupOptions { Duration = 1.5, MinSeqLength = 16, MaxSeqLength = 8, StepSize = 0 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "SeqLengthWarmupOptions is invalid: Property Duration: 1.5 is invalid; expected a value in [0, 1]. " +
            "Property MaxSeqLength: 8 is invalid; expected null or an integer >= MinSeqLength (16). " +
            "Property StepSize: 0 is invalid; expected an integer >= 1.");
    }
}
