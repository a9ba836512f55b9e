using Efficient.Training.Algorithms;
using Efficient.Training.Optimizers;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Algorithms.Optimization;

public sealed class LookaheadTests
{
    [Fact]
    public void InterpolateMovesTheSlowWeightsAlphaOfTheWayAndResetsTheFastOnes()
    {
        using var scope = NewDisposeScope();
        var fast = tensor(new float[] { 2, 4, -6 });
        var slow = tensor(new float[] { 0, 1, 2 });
        Lookahead.Interpolate(new[] { fast }, new[] { slow }, 0.25);
        slow.data<float>().ToArray().Should().Equal(0.5f, 1.75f, 0f);
        fast.data<float>().ToArray().Should().Equal(0.5f, 1.75f, 0f);
        FluentActions.Invoking(() => Lookahead.Interpolate(new[] { fast }, new[] { zeros(2) }, 0.5)).Should().Throw<ArgumentException>()
            .WithMessage("Slow tensor 0 has shape [2] but its fast tensor has [3]; expected equal shapes.*");
    }

    private static TrainerOptions Make(Mlp model, Tensor x, Tensor y, bool algorithm, string? folder = null)
    {
        var options = Options(model, x, y, batchSize: 16, max: "2ep");
        options.TrainData = new TensorTrainingData(x, y, 16, shuffle: false);
        options.EvalData = null;
        if (algorithm)
        {
            options.Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9);
            options.Algorithms.Add(new LookaheadAlgorithm(new LookaheadOptions { K = 4, Alpha = 0.5 }));
        }
        else
        {
            options.Optimizer = p => new Lookahead(optim.SGD(p, learningRate: 0.1, momentum: 0.9), k: 4, alpha: 0.5);
        }
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("3ba"), KeepLast = 1 };
        return options;
    }

    [Fact]
    public void TheAlgorithmTrainsExactlyAsTheOptimizerWrapper()
    {
        var (x, y) = TestModels.Data(n: 96);
        manual_seed(3);
        using var a = new Mlp();
        using var b = new Mlp();
        b.load_state_dict(a.state_dict());
        new Trainer(Make(a, x, y, algorithm: true)).Fit().Timestamp.Batch.Should().Be(12);
        new Trainer(Make(b, x, y, algorithm: false)).Fit();
        var expected = Weights(b);
        foreach (var (name, w) in Weights(a)) w.Should().Equal(expected[name], $"{name}: the algorithm and the wrapper are the same update");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AResumedRunEqualsTheUninterruptedOne(bool algorithm)
    {
        // Interrupted after batch 6 (checkpoint at 6, between two synchronizations every 4 steps).
        var (x, y) = TestModels.Data(n: 96);
        manual_seed(4);
        using var runs = ResumeHarness.Run(() => new Mlp(), (model, folder) => Make(model, x, y, algorithm, folder), interruptAt: 6,
            resumedModel: () => new Mlp(), sameInitialWeights: true);
        runs.Interrupted.Result.Timestamp.Batch.Should().Be(6);
        runs.Resumed.Result.Timestamp.Batch.Should().Be(12);
        var expected = Weights(runs.Uninterrupted.Model);
        foreach (var (name, w) in Weights(runs.Resumed.Model)) w.Should().Equal(expected[name], $"{name} must be bit-identical after resume");
    }

    [Fact]
    public void DefaultsAreThePapers()
    {
        var o = new LookaheadOptions();
        o.K.Should().Be(5);
        o.Alpha.Should().Be(0.5);
    }

    [Fact]
    public void InvalidOptionsAreAllReported()
    {
        FluentActions.Invoking(() => new LookaheadAlgorithm(new LookaheadOptions { K = 0, Alpha = 2 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("LookaheadOptions is invalid: Property K: 0 is invalid; expected an integer >= 1. Property Alpha: 2 is invalid; expected a value in [0, 1].");
    }
}
