using System.Collections.Generic;
using System.Text.Json;
using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Optimization.OptimizationReference;

namespace Efficient.Training.Tests.Algorithms.Optimization;

public class GradientClippingTests
{
    private static readonly JsonElement Ref = Section("clipping");

    /// <summary>The reference model with the script's fixed gradients.</summary>
    private static Net WithFixedGradients()
    {
        var model = new Net();
        var grads = Ref.GetProperty("grads");
        foreach (var (name, p) in model.named_parameters())
        {
            var values = grads.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            p.grad = tensor(values, p.shape).DetachFromDisposeScope();
        }
        return model;
    }

    private static Dictionary<string, float[]> Gradients(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.contiguous().data<float>().ToArray());

    [Theory]
    [InlineData(0.5)]
    [InlineData(100.0)]
    public void NormClippingMatchesClipGradNorm(double maxNorm)
    {
        using var model = WithFixedGradients();
        var expected = Ref.GetProperty(FormattableString.Invariant($"norm_{maxNorm:0.0}"));
        var total = GradientClipping.Apply(model, ClippingType.Norm, maxNorm);
        total.Should().BeApproximately(expected.GetProperty("total").GetDouble(), 1e-5);
        Gradients(model).ShouldMatch(expected.GetProperty("grads"), "clipped gradients", atol: 1e-6, rtol: 1e-5);
    }

    [Fact]
    public void ValueClippingMatchesClipGradValue()
    {
        using var model = WithFixedGradients();
        GradientClipping.Apply(model, ClippingType.Value, 0.2);
        Gradients(model).ShouldMatch(Ref.GetProperty("value_0.2").GetProperty("grads"), "clipped gradients", atol: 0, rtol: 0);
    }

    [Theory]
    [InlineData(0.01, true, "adaptive_0.01")]
    [InlineData(0.3, true, "adaptive_0.3")]
    [InlineData(0.6, true, "adaptive_0.6")] // rows 0, 2 and 4 of fc1.weight clipped, the others not
    [InlineData(0.01, false, "adaptive_all_0.01")]
    [InlineData(0.3, false, "adaptive_all_0.3")]
    public void AdaptiveClippingMatchesTheHandWrittenAgc(double threshold, bool excludeFinalLayer, string section)
    {
        using var model = WithFixedGradients();
        GradientClipping.Apply(model, ClippingType.Adaptive, threshold, excludeFinalLayer);
        Gradients(model).ShouldMatch(Ref.GetProperty(section).GetProperty("grads"), section, atol: 1e-7, rtol: 1e-5);
    }

    [Fact]
    public void AdaptiveClippingIsUnitWiseForConvolutionWeights()
    {
        using var scope = NewDisposeScope();
        var r = Ref.GetProperty("adaptive_conv");
        var shape = new long[] { 3, 2, 2, 2 };
        var p = new Parameter(tensor(r.GetProperty("weight").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(), shape));
        p.grad = tensor(r.GetProperty("grad_in").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(), shape);
        GradientClipping.ClipAdaptive(new[] { p }, r.GetProperty("threshold").GetDouble());
        var expected = r.GetProperty("grad").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        var actual = p.grad!.contiguous().data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++) actual[i].Should().BeApproximately(expected[i], 1e-6f + 1e-5f * Math.Abs(expected[i]));
    }

    [Fact]
    public void FinalLayerIsTheLastLinearModule()
    {
        using var model = new Net();
        GradientClipping.FinalLayerParameters(model).Should().Equal("fc2.weight", "fc2.bias");
        using var pool = new Data.DataTestRuns.TokenNet();
        GradientClipping.FinalLayerParameters(pool).Should().Equal("fc.weight", "fc.bias");
    }

    [Fact]
    public void AlgorithmClipsTheAccumulatedGradientsBeforeTheStep()
    {
        var norms = new List<double>();
        var recorder = new Recorder(TrainingEvent.AfterOptimizerStep, s =>
        {
            using var scope = NewDisposeScope();
            norms.Add(stack(s.Model.parameters().Select(p => p.grad!.norm())).norm().ToDouble());
        });
        var clipped = AlgorithmRuns.Run(new IAlgorithm[] { new GradientClippingAlgorithm(new GradientClippingOptions { ClippingThreshold = 0.05 }), recorder }, microbatches: 2);
        var plain = AlgorithmRuns.Run();
        norms.Should().HaveCount(2).And.OnlyContain(n => n <= 0.05 + 1e-6 && n > 0.049);
        AlgorithmRuns.SameWeights(clipped.Weights, plain.Weights).Should().BeFalse();
    }

    [Fact]
    public void BadArgumentsNameTheParameter()
    {
        using var model = new Net();
        FluentActions.Invoking(() => GradientClipping.ClipByNorm(model.parameters(), 0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("maxNorm");
        FluentActions.Invoking(() => GradientClipping.ClipByValue(model.parameters(), double.NaN)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("clipValue");
        FluentActions.Invoking(() => GradientClipping.ClipAdaptive(model.parameters(), -1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("threshold");
        FluentActions.Invoking(() => GradientClipping.ClipAdaptive(model.parameters(), 0.01, 0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("epsilon");
        FluentActions.Invoking(() => GradientClipping.Apply(model, (ClippingType)7, 1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("type");
    }

    [Fact]
    public void OptionsRequireAThresholdAndListEveryFailure()
    {
        var o = new GradientClippingOptions();
        o.ClippingType.Should().Be(ClippingType.Norm);
        o.ClippingThreshold.Should().BeNull();
        o.ExcludeFinalLayer.Should().BeTrue();
        o.AdaptiveEpsilon.Should().Be(1e-3);
        FluentActions.Invoking(() => new GradientClippingAlgorithm(new GradientClippingOptions()))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("GradientClippingOptions is invalid: Property ClippingThreshold: null is invalid; expected a finite value > 0 (required: e.g. 1.0 for Norm, 0.01 for Adaptive).");
        FluentActions.Invoking(() => new GradientClippingAlgorithm(new GradientClippingOptions { ClippingType = (ClippingType)9, ClippingThreshold = -1, AdaptiveEpsilon = 0 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("GradientClippingOptions is invalid: Property ClippingType: 9 is invalid; expected Norm, Value or Adaptive. "
                + "Property ClippingThreshold: -1 is invalid; expected a finite value > 0. "
                + "Property AdaptiveEpsilon: 0 is invalid; expected a finite value > 0.");
        FluentActions.Invoking(() => new GradientClippingAlgorithm(null!)).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("options");
    }
}
