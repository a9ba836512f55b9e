using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.AlgorithmRuns;

namespace Efficient.Training.Tests.Algorithms.Regularization;

public class CutMixTests
{
    private static readonly System.Text.Json.JsonElement Ref = TechniqueReference.Section("cutmix");

    [Fact]
    public void CutMixBatchMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var images = Ref.FloatTensor("images", Ref.Longs("shape"));
        var y = tensor(new long[] { 0, 1, 2 });
        var box = Ref.Longs("box");
        var mixed = CutMix.CutMixBatch(images, y, new CutMixBox(box[0], box[1], box[2], box[3]), tensor(Ref.Longs("perm")));
        mixed.Input.Values().ShouldBeClose(Ref.Floats("mixed"), rtol: 0, atol: 0);
        mixed.Lambda.ShouldBeClose(Ref.Double("lambda"), rtol: 0, atol: 1e-15);
        mixed.TargetB.data<long>().ToArray().Should().Equal(1, 2, 0);
        images.Values().Should().Equal(Ref.Floats("images"), "the input is not modified");
    }

    [Fact]
    public void RandomBoxFollowsComposer()
    {
        using var g = new Generator(3);
        for (var i = 0; i < 200; i++)
        {
            var lambda = MixUp.SampleLambda(1.0, g);
            var box = CutMix.RandomBox(32, 24, lambda, g);
            box.Top.Should().BeInRange(0, 32);
            box.Left.Should().BeInRange(0, 24);
            (box.Top + box.Height).Should().BeLessThanOrEqualTo(32);
            (box.Left + box.Width).Should().BeLessThanOrEqualTo(24);
            // Clipping only shrinks the box: area ≤ (1 − λ)·H·W (up to the half-size rounding).
            box.Height.Should().BeLessThanOrEqualTo((long)(32 * Math.Sqrt(1 - lambda)) + 1);
            box.Width.Should().BeLessThanOrEqualTo((long)(24 * Math.Sqrt(1 - lambda)) + 1);
        }
        CutMix.RandomBox(8, 8, 1.0, g).Should().Match<CutMixBox>(b => b.Height == 0 && b.Width == 0);
        using var a = new Generator(5);
        using var b = new Generator(5);
        CutMix.RandomBox(10, 10, 0.4, a).Should().Be(CutMix.RandomBox(10, 10, 0.4, b));
    }

    [Fact]
    public void BadShapesOrBoxesNameTheParameter()
    {
        using var scope = NewDisposeScope();
        var y = zeros(2, ScalarType.Int64);
        var perm = tensor(new long[] { 1, 0 });
        FluentActions.Invoking(() => CutMix.CutMixBatch(zeros(2, 3), y, new CutMixBox(0, 0, 1, 1), perm)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("input");
        FluentActions.Invoking(() => CutMix.CutMixBatch(zeros(2, 1, 4, 4), y, new CutMixBox(3, 0, 2, 1), perm)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("box");
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        var o = new CutMixOptions();
        (o.Alpha, o.Probability, o.StopAt).Should().Be((1.0, 1.0, (Duration?)null));
        FluentActions.Invoking(() => new CutMixAlgorithm(new CutMixOptions { Alpha = 0, Probability = -1 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("CutMixOptions is invalid: Property Alpha: 0 is invalid; expected a finite value > 0. Property Probability: -1 is invalid; expected a value in [0, 1].");
    }

    [Fact]
    public void HooksPasteABoxAndInterpolateTheLossByTheKeptArea()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var model = new ImageMlp();
        var x = randn(6, 1, 4, 4);
        var y = tensor(new long[] { 0, 1, 2, 1, 0, 2 });
        var context = Context(model, new Batch(x, y), seed: 11);
        var algorithm = new CutMixAlgorithm();
        var outputs = algorithm.Forward(context, () => model.call(context.Batch.Input));
        var lambda = (double)context.Items["CutMix.lambda"];
        var perm = (Tensor)context.Items["CutMix.permutation"];
        // Every pixel comes from the sample itself or from its partner, and the partner's share is 1 − λ.
        var mixed = context.Batch.Input;
        var fromPartner = mixed.eq(x.index_select(0, perm)).logical_and(mixed.ne(x));
        (fromPartner.sum().ToDouble() / x.numel()).ShouldBeClose(1 - lambda, rtol: 1e-12, atol: 1e-12);
        var loss = algorithm.Loss(context, outputs, y, (o, t) => nn.functional.cross_entropy(o, t));
        var expected = lambda * nn.functional.cross_entropy(outputs, y).ToDouble() + (1 - lambda) * nn.functional.cross_entropy(outputs, y.index_select(0, perm)).ToDouble();
        loss.ToDouble().ShouldBeClose(expected, rtol: 1e-6);
        algorithm.MixedCount.Should().Be(1);
    }

    [Fact]
    public void ChangesATwoBatchRunDeterministicallyPerSeed()
    {
        var plain = Run();
        var a = new CutMixAlgorithm();
        var mixed = Run(a);
        a.MixedCount.Should().Be(2);
        SameWeights(plain.Weights, mixed.Weights).Should().BeFalse();
        mixed.Trainer.Trace.Entries.Should().Contain(e => e.Algorithm == "CutMix" && e.Stage == "Loss.Loss" && e.Calls == 2);
        SameWeights(mixed.Weights, Run(new CutMixAlgorithm()).Weights).Should().BeTrue("same seed, same run");
        var stopped = new CutMixAlgorithm(new CutMixOptions { StopAt = Duration.Batches(1) });
        Run(stopped);
        stopped.MixedCount.Should().Be(1);
    }

    [Fact]
    public void StacksWithMixUpAndLabelSmoothing()
    {
        var cut = new CutMixAlgorithm();
        var mix = new MixUpAlgorithm();
        var run = Run(mix, cut, new LabelSmoothingAlgorithm());
        (mix.MixedCounts.MixUp, cut.MixedCount).Should().Be((2L, 2L));
        run.Losses.Should().OnlyContain(l => double.IsFinite(l));
    }
}
