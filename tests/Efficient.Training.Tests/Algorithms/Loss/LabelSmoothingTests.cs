using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.AlgorithmRuns;

namespace Efficient.Training.Tests.Algorithms.Loss;

public class LabelSmoothingTests
{
    private static readonly System.Text.Json.JsonElement Ref = TechniqueReference.Section("label_smoothing");

    [Fact]
    public void IndexTargetsMatchPyTorch()
    {
        using var index = tensor(Ref.Longs("index"));
        using var smoothed = LabelSmoothing.SmoothLabels(index, 4, 0.1);
        smoothed.shape.Should().Equal(5, 4);
        smoothed.Values().ShouldBeClose(Ref.Floats("smoothed"));

        using var logits = Ref.FloatTensor("logits", 5, 4);
        nn.functional.cross_entropy(logits, smoothed).ToDouble().ShouldBeClose(Ref.Double("loss"));
        // Same value as PyTorch's built-in label_smoothing for index targets.
        nn.functional.cross_entropy(logits, smoothed).ToDouble().ShouldBeClose(Ref.Double("loss_builtin"));
    }

    [Fact]
    public void ProbabilityTargetsMatchPyTorch()
    {
        using var probs = Ref.FloatTensor("probs", 5, 4);
        LabelSmoothing.SmoothLabels(probs, 4, 0.1).Values().ShouldBeClose(Ref.Floats("smoothed_probs"));
    }

    [Fact]
    public void BadArgumentsNameTheParameter()
    {
        using var index = tensor(new long[] { 0, 1 });
        FluentActions.Invoking(() => LabelSmoothing.SmoothLabels(index, 0, 0.1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("numClasses");
        FluentActions.Invoking(() => LabelSmoothing.SmoothLabels(index, 3, 1.5)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("smoothing");
        using var probs = ones(2, 3);
        FluentActions.Invoking(() => LabelSmoothing.SmoothLabels(probs, 4, 0.1)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("targets");
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        new LabelSmoothingOptions().Smoothing.Should().Be(0.1);
        FluentActions.Invoking(() => new LabelSmoothingAlgorithm(new LabelSmoothingOptions { Smoothing = 1.5 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("LabelSmoothingOptions is invalid: Property Smoothing: 1.5 is invalid; expected a value in [0, 1].");
        FluentActions.Invoking(() => new LabelSmoothingAlgorithm(new LabelSmoothingOptions { Smoothing = double.NaN }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("LabelSmoothingOptions is invalid: Property Smoothing: NaN is invalid; expected a value in [0, 1].");
    }

    [Fact]
    public void HookPassesSmoothedTargetsToTheInnerLoss()
    {
        using var scope = NewDisposeScope();
        var algorithm = new LabelSmoothingAlgorithm(new LabelSmoothingOptions { Smoothing = 0.2 });
        var logits = Ref.FloatTensor("logits", 5, 4);
        var index = tensor(Ref.Longs("index"));
        Tensor? seen = null;
        var loss = algorithm.Loss(null!, logits, index, (o, t) =>
        {
            seen = t;
            return nn.functional.cross_entropy(o, t);
        });
        seen!.Values().ShouldBeClose(LabelSmoothing.SmoothLabels(index, 4, 0.2).Values());
        loss.ToDouble().ShouldBeClose(nn.functional.cross_entropy(logits, index, label_smoothing: 0.2).ToDouble(), rtol: 1e-6);
    }

    [Fact]
    public void ChangesATwoBatchRunAndIsTraced()
    {
        var plain = Run();
        var smoothed = Run(new LabelSmoothingAlgorithm());
        smoothed.Losses.Should().HaveCount(2);
        smoothed.Losses[0].Should().NotBe(plain.Losses[0]);
        SameWeights(plain.Weights, smoothed.Weights).Should().BeFalse();
        smoothed.Trainer.Trace.Entries.Should().Contain(e => e.Algorithm == "LabelSmoothing" && e.Stage == "Loss.Loss" && e.Calls == 2);
        SameWeights(smoothed.Weights, Run(new LabelSmoothingAlgorithm()).Weights).Should().BeTrue("the run is deterministic");
    }
}
