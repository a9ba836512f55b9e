using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.AlgorithmRuns;

namespace Efficient.Training.Tests.Algorithms.Regularization;

public class MixUpTests
{
    private static readonly System.Text.Json.JsonElement Ref = TechniqueReference.Section("mixup");

    [Fact]
    public void MixBatchAndInterpolatedLossMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        var x = Ref.FloatTensor("x", 4, 3);
        var y = tensor(Ref.Longs("y"));
        var perm = tensor(Ref.Longs("perm"));
        var mixed = MixUp.MixBatch(x, y, Ref.Double("lambda"), perm);
        mixed.Input.Values().ShouldBeClose(Ref.Floats("mixed"));
        mixed.TargetA.data<long>().ToArray().Should().Equal(Ref.Longs("y"));
        mixed.TargetB.data<long>().ToArray().Should().Equal(Ref.Longs("perm").Select(i => Ref.Longs("y")[i]));
        mixed.Lambda.Should().Be(0.3);
        var outputs = Ref.FloatTensor("outputs", 4, 3);
        mixed.Loss(outputs, (o, t) => nn.functional.cross_entropy(o, t)).ToDouble().ShouldBeClose(Ref.Double("loss"));
    }

    [Fact]
    public void SampledLambdaFollowsBetaAndIsReproducible()
    {
        using var g = new Generator(42);
        var draws = Enumerable.Range(0, 4000).Select(_ => MixUp.SampleLambda(0.2, g)).ToArray();
        draws.Should().OnlyContain(l => l >= 0 && l <= 1);
        draws.Average().Should().BeApproximately(0.5, 0.03);
        // Var of Beta(a, a) = 1 / (4 (2a + 1)) = 0.1786 for a = 0.2.
        draws.Select(l => (l - 0.5) * (l - 0.5)).Average().Should().BeApproximately(1 / (4 * 1.4), 0.01);
        using var g1 = new Generator(1);
        using var g2 = new Generator(1);
        MixUp.SampleLambda(1.0, g1).Should().Be(MixUp.SampleLambda(1.0, g2));
        FluentActions.Invoking(() => MixUp.SampleLambda(0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("alpha");
    }

    [Fact]
    public void BadPermutationOrLambdaNameTheParameter()
    {
        using var scope = NewDisposeScope();
        var x = zeros(4, 3);
        var y = zeros(4, ScalarType.Int64);
        FluentActions.Invoking(() => MixUp.MixBatch(x, y, 0.5, arange(3, ScalarType.Int64))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("permutation");
        FluentActions.Invoking(() => MixUp.MixBatch(x, y, 1.5, arange(4, ScalarType.Int64))).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("lambda");
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        var o = new MixUpOptions();
        (o.Alpha, o.Probability, o.SwitchProbability, o.CutMixAlpha, o.StopAt).Should().Be((0.2, 1.0, 0.0, 1.0, (Duration?)null));
        FluentActions.Invoking(() => new MixUpAlgorithm(new MixUpOptions { Alpha = -1, Probability = 2, SwitchProbability = -0.5, CutMixAlpha = double.PositiveInfinity, StopAt = Duration.Batches(0) }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("MixUpOptions is invalid: Property Alpha: -1 is invalid; expected a finite value > 0. Property Probability: 2 is invalid; expected a value in [0, 1]. Property SwitchProbability: -0.5 is invalid; expected a value in [0, 1]. Property CutMixAlpha: Infinity is invalid; expected a finite value > 0. Property StopAt: '0ba' is invalid; expected null or a duration > 0.");
    }

    [Fact]
    public void HooksMixTheInputAndInterpolateTheLossWithTheStoredLambdaAndPermutation()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var model = new ImageMlp();
        var x = randn(8, 1, 4, 4);
        var y = tensor(new long[] { 0, 1, 2, 1, 0, 2, 2, 1 });
        var context = Context(model, new Batch(x, y));
        var algorithm = new MixUpAlgorithm(new MixUpOptions { Alpha = 1.0 });
        var outputs = algorithm.Forward(context, () => model.call(context.Batch.Input));
        var lambda = (double)context.Items["MixUp.lambda"];
        var perm = (Tensor)context.Items["MixUp.permutation"];
        context.Batch.Input.Values().ShouldBeClose(MixUp.MixBatch(x, y, lambda, perm).Input.Values());
        var loss = algorithm.Loss(context, outputs, y, (o, t) => nn.functional.cross_entropy(o, t));
        var expected = lambda * nn.functional.cross_entropy(outputs, y).ToDouble() + (1 - lambda) * nn.functional.cross_entropy(outputs, y.index_select(0, perm)).ToDouble();
        loss.ToDouble().ShouldBeClose(expected, rtol: 1e-6);
        algorithm.MixedCounts.Should().Be((1L, 0L));
    }

    [Fact]
    public void ChangesATwoBatchRunDeterministicallyPerSeed()
    {
        var plain = Run();
        var a = new MixUpAlgorithm(new MixUpOptions { Alpha = 1.0 });
        var mixed = Run(a);
        a.MixedCounts.Should().Be((2L, 0L));
        mixed.Losses[0].Should().NotBe(plain.Losses[0]);
        mixed.Trainer.Trace.Entries.Should().Contain(e => e.Algorithm == "MixUp" && e.Stage == "Regularization.Forward" && e.Calls == 2);
        mixed.Trainer.Trace.Entries.Should().Contain(e => e.Algorithm == "MixUp" && e.Stage == "Loss.Loss" && e.Calls == 2);
        SameWeights(mixed.Weights, Run(new MixUpAlgorithm(new MixUpOptions { Alpha = 1.0 })).Weights).Should().BeTrue("same seed, same run");
        SameWeights(mixed.Weights, Run(new IAlgorithm[] { new MixUpAlgorithm(new MixUpOptions { Alpha = 1.0 }) }, seed: 8).Weights).Should().BeFalse("another seed draws another λ and permutation");
    }

    [Fact]
    public void StopsAfterTheGivenDurationAndSkipsByProbability()
    {
        var stopped = new MixUpAlgorithm(new MixUpOptions { StopAt = Duration.Batches(1) });
        Run(stopped);
        stopped.MixedCounts.Should().Be((1L, 0L));
        var fraction = new MixUpAlgorithm(new MixUpOptions { StopAt = "0.5dur" });
        Run(fraction);
        fraction.MixedCounts.Should().Be((1L, 0L));
        var never = new MixUpAlgorithm(new MixUpOptions { Probability = 0 });
        var run = Run(never);
        never.MixedCounts.Should().Be((0L, 0L));
        SameWeights(run.Weights, Run().Weights).Should().BeTrue("nothing was mixed");
    }

    [Fact]
    public void SwitchProbabilityOneUsesCutMix()
    {
        var a = new MixUpAlgorithm(new MixUpOptions { SwitchProbability = 1 });
        Run(new IAlgorithm[] { a }, microbatches: 2);
        a.MixedCounts.Should().Be((0L, 4L));
    }
}
