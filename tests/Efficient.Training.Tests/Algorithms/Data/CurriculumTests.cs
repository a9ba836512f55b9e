using System.Collections.Generic;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class CurriculumTests
{
    [Theory]
    [InlineData(0, 0.2)]
    [InlineData(50, 0.6)]
    [InlineData(100, 1.0)]
    [InlineData(250, 1.0)]
    public void FixedLinearPacing(long step, double expected)
        => CurriculumPacing.FixedLinear(step, 100, 0.2, 1.0).Should().BeApproximately(expected, 1e-12);

    [Theory]
    [InlineData(0, 0.2)]
    [InlineData(25, 0.6)]   // 0.2 + 0.8 * sqrt(0.25)
    [InlineData(100, 1.0)]
    [InlineData(400, 1.0)]
    public void FixedRootPacing(long step, double expected)
        => CurriculumPacing.FixedRoot(step, 100, 0.2, 1.0, 2).Should().BeApproximately(expected, 1e-12);

    [Theory]
    [InlineData(0, 0.25)]
    [InlineData(100, 0.25)]
    [InlineData(101, 0.5)]
    [InlineData(200, 0.5)]
    [InlineData(201, 1.0)]
    public void FixedDiscretePacing(long step, double expected)
        => CurriculumPacing.FixedDiscrete(step, new[] { 0.25, 0.5, 1.0 }, new long[] { 100, 200 }).Should().Be(expected);

    [Fact]
    public void FractionFollowsOptionsAndCountsRoundUp()
    {
        CurriculumPacing.Fraction(new CurriculumOptions { Pacing = CurriculumPacingKind.FixedRoot, TotalSteps = 100, MinFraction = 0.2, RootDegree = 2 }, 25).Should().BeApproximately(0.6, 1e-12);
        CurriculumPacing.Fraction(new CurriculumOptions { Pacing = CurriculumPacingKind.FixedDiscrete }, 150).Should().Be(0.5);
        CurriculumPacing.AvailableCount(0.25, 10).Should().Be(3);
        CurriculumPacing.AvailableCount(0.3, 10).Should().Be(3);
        CurriculumPacing.AvailableCount(0.01, 10).Should().Be(1);
    }

    private static CurriculumTrainingData Data(long seed = 3)
    {
        // 20 samples; sample i has difficulty 19 - i, so the easiest are the highest indices.
        var x = arange(20, dtype: ScalarType.Float32).reshape(20, 1);
        var y = arange(20, ScalarType.Int64);
        var difficulty = arange(20, dtype: ScalarType.Float32) * -1.0 + 19.0;
        return new CurriculumTrainingData(x, y, difficulty, 4, new CurriculumOptions { TotalSteps = 4, MinFraction = 0.25, MaxFraction = 1 }, seed);
    }

    [Fact]
    public void BatchesOnlyContainAllowedSamples()
    {
        var data = Data();
        data.BatchesPerEpoch.Should().Be(5);
        data.SamplesPerEpoch.Should().Be(20);
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var b = 0;
            foreach (var batch in data.GetEpoch(epoch))
            {
                var step = epoch * 5 + b++;
                var allowed = (long)Math.Ceiling((0.25 + 0.75 * Math.Min(step / 4.0, 1)) * 20 - 1e-9);
                var ids = Longs(batch.Target);
                ids.Should().HaveCount(4).And.OnlyHaveUniqueItems();
                ids.Should().OnlyContain(i => i >= 20 - allowed, $"step {step} allows the {allowed} easiest");
                Floats(batch.Input).Should().Equal(ids.Select(i => (float)i));
            }
        }
    }

    [Fact]
    public void SmallAllowedSetIsDrawnWithReplacement()
    {
        var x = arange(10, dtype: ScalarType.Float32).reshape(10, 1);
        var y = arange(10, ScalarType.Int64);
        var data = new CurriculumTrainingData(x, y, arange(10, dtype: ScalarType.Float32), 4, new CurriculumOptions { TotalSteps = 100, MinFraction = 0.2 });
        var first = Longs(data.GetEpoch(0).First().Target);
        first.Should().HaveCount(4).And.OnlyContain(i => i < 2);
    }

    [Fact]
    public void EpochIsDeterministicAndResumeSeesTheTail()
    {
        var full = Data().GetEpoch(1).Select(b => Longs(b.Target)).ToList();
        var again = Data().GetEpoch(1).Select(b => Longs(b.Target)).ToList();
        var resumed = Data().GetEpoch(1, skipBatches: 2).Select(b => Longs(b.Target)).ToList();
        again.Should().HaveCount(5);
        for (var i = 0; i < 5; i++) again[i].Should().Equal(full[i]);
        resumed.Should().HaveCount(3);
        for (var i = 0; i < 3; i++) resumed[i].Should().Equal(full[i + 2]);
        var other = Data(seed: 4).GetEpoch(1).Select(b => Longs(b.Target)).ToList();
        other.Zip(full).Any(p => !p.First.SequenceEqual(p.Second)).Should().BeTrue("another seed shuffles differently");
    }

    [Fact]
    public void TrainerRunsOnCurriculumData()
    {
        var (x, y) = Images(16, 4);
        var model = new PoolNet();
        var scores = CurriculumTrainingData.LossScores(model, x, y, batchSize: 5);
        scores.shape.Should().Equal(16);
        model.training.Should().BeTrue();
        var recorder = new BatchRecorder();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.01),
            TrainData = new CurriculumTrainingData(x, y, scores, 4, new CurriculumOptions { TotalSteps = 3, MinFraction = 0.5 }, seed: 1),
            MaxDuration = Duration.Parse("5ba"),
            Seed = 7,
        };
        options.Callbacks.Add(recorder);
        new Trainer(options).Fit();
        recorder.Batches.Should().HaveCount(5);
        var easiest = CurriculumTrainingData.EasiestFirst(scores).Take(8).ToHashSet();
        var firstInputs = Floats(recorder.Batches[0].input);
        var allowedInputs = easiest.Select(i => Floats(x[i])).ToList();
        for (var s = 0; s < 4; s++)
        {
            var sample = firstInputs.Skip(s * 48).Take(48).ToArray();
            allowedInputs.Any(a => a.SequenceEqual(sample)).Should().BeTrue("the first batch comes from the easiest half");
        }
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new CurriculumOptions().Validate();
        new CurriculumOptions { Pacing = CurriculumPacingKind.FixedDiscrete }.Validate();
        var act = () => new CurriculumOptions { TotalSteps = 0, MinFraction = 0.8, MaxFraction = 0.5, RootDegree = 0.5 }.Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "CurriculumOptions is invalid: Property TotalSteps: 0 is invalid; expected an integer >= 1. " +
            "Property MaxFraction: 0.5 is invalid; expected a value >= MinFraction (0.8). " +
            "Property RootDegree: 0.5 is invalid; expected a value >= 1.");
        var discrete = () => new CurriculumOptions { Pacing = CurriculumPacingKind.FixedDiscrete, DiscreteFractions = new[] { 0.5, 2 }, DiscreteMaxSteps = new long[] { 5, 3 } }.Validate();
        discrete.Should().Throw<OptionsValidationException>().WithMessage(
            "CurriculumOptions is invalid: Property DiscreteFractions: 2 entries is invalid; expected 3 (one more than DiscreteMaxSteps). " +
            "Property DiscreteFractions: [0.5, 2] is invalid; expected values in (0, 1]. " +
            "Property DiscreteMaxSteps: [5, 3] is invalid; expected strictly increasing steps.");
        var ctor = () => new CurriculumTrainingData(zeros(4, 1), zeros(4), zeros(4), 2, new CurriculumOptions { MinFraction = 0 });
        ctor.Should().Throw<OptionsValidationException>().WithMessage(
            "CurriculumOptions is invalid: Property MinFraction: 0 is invalid; expected a value in (0, 1].");
    }
}
