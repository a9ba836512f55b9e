using Efficient.Training.Algorithms;
using Efficient.Training.Models;
using Efficient.Training.Tests.Models;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;
using static Efficient.Training.Tests.Algorithms.Model.TransformerRuns;
using static Efficient.Training.Tests.Models.TransformerReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public class ProgressiveLayerDropTests
{
    private static readonly System.Text.Json.JsonElement Ref = Section("pld");

    [Fact]
    public void ThetaScheduleMatchesHandComputedValues()
    {
        // θ(t) = (1 − 0.5)·exp(−0.001·t) + 0.5.
        ProgressiveLayerDrop.Theta(0).Should().Be(1.0);
        ProgressiveLayerDrop.Theta(1).ShouldBeClose(0.5 + 0.5 * 0.99900049983337502, rtol: 1e-15, atol: 0);
        ProgressiveLayerDrop.Theta(100).ShouldBeClose(0.5 + 0.5 * 0.90483741803595957, rtol: 1e-15, atol: 0);
        ProgressiveLayerDrop.Theta(1000).ShouldBeClose(0.5 + 0.5 / Math.E, rtol: 1e-15, atol: 0);
        ProgressiveLayerDrop.Theta(5000).ShouldBeClose(0.5 + 0.5 * 0.0067379469990854671, rtol: 1e-15, atol: 0);
        ProgressiveLayerDrop.Theta(1000, theta: 0.8, gamma: 0.002).ShouldBeClose(0.8 + 0.2 * 0.1353352832366127, rtol: 1e-15, atol: 0);
        var steps = Ref.GetProperty("steps").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        var thetas = Ref.GetProperty("thetas").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (var i = 0; i < steps.Length; i++) ProgressiveLayerDrop.Theta(steps[i]).ShouldBeClose(thetas[i], rtol: 1e-15, atol: 0);
    }

    [Fact]
    public void KeepProbabilitiesDecreaseLinearlyWithDepth()
    {
        // p_l = 1 − l/L·(1 − θ): with θ = 0.5 and L = 4, 1 − l/8.
        ProgressiveLayerDrop.KeepProbabilities(4, 0.5).Should().Equal(0.875, 0.75, 0.625, 0.5);
        ProgressiveLayerDrop.KeepProbabilities(4, 1).Should().Equal(1, 1, 1, 1);
        var atStep1000 = ProgressiveLayerDrop.KeepProbabilities(4, ProgressiveLayerDrop.Theta(1000));
        var expected = Ref.GetProperty("keep_probs_step_1000").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (var i = 0; i < 4; i++) atStep1000[i].ShouldBeClose(expected[i], rtol: 1e-14, atol: 0);
        ProgressiveLayerDrop.KeepProbabilities(0, 0.5).Should().BeEmpty();
    }

    [Fact]
    public void SeededDropPatternMatchesTheReference()
    {
        // u = torch.rand(4, generator=manual_seed(123)) = [0.296, 0.517, 0.252, 0.689]; keep when u < p.
        using var g = new Generator(123);
        var keep = ProgressiveLayerDrop.SampleKeep(new[] { 0.875, 0.75, 0.625, 0.5 }, g);
        keep.Should().Equal(Ref.GetProperty("keep").EnumerateArray().Select(v => v.GetBoolean()));
        keep.Should().Equal(true, true, true, false);
        using var g2 = new Generator(123);
        // Lower keep probabilities with the same draws drop the second layer too.
        ProgressiveLayerDrop.SampleKeep(new[] { 0.9, 0.5, 0.3, 0.1 }, g2).Should().Equal(true, false, true, false);
    }

    [Fact]
    public void SkippedLayersPassTheirInputThroughAsInPyTorch()
    {
        var c = Section("bert_pld");
        using var model = new BertEncoder(Options(c));
        var layerSwitch = ProgressiveLayerDrop.Apply(model);
        layerSwitch.LayerCount.Should().Be(4);
        LoadWeights(model, c);
        layerSwitch.Keep = c.GetProperty("keep").EnumerateArray().Select(v => v.GetBoolean()).ToArray();
        using var ids = Ids(c);
        using var mask = Mask(c, ids);
        model.train();  // the options have no dropout, so only the layer dropping acts
        using var _ = no_grad();
        using var logits = model.forward(ids, mask);
        logits.Values().ShouldBeClose(c.Floats("logits"), rtol: 1e-4, atol: 2e-5);
        // With the keep probabilities, kept layers scale their residual branches by 1/p (DeepSpeed).
        layerSwitch.KeepProbabilities = c.GetProperty("keep_probs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        using var rescaled = model.forward(ids, mask);
        rescaled.Values().ShouldBeClose(c.Floats("logits_rescaled"), rtol: 1e-4, atol: 2e-5);
        rescaled.Values().Should().NotEqual(logits.Values());
    }

    [Fact]
    public void EvaluationRunsEveryLayer()
    {
        var c = Section("bert_pld");
        using var model = new BertEncoder(Options(c));
        LoadWeights(model, c);
        using var ids = Ids(c);
        model.eval();
        using var _ = no_grad();
        using var before = model.forward(ids, null);
        var layerSwitch = ProgressiveLayerDrop.Apply(model);
        layerSwitch.Keep = new[] { false, true, false, true };
        layerSwitch.KeepProbabilities = new[] { 0.9, 0.8, 0.7, 0.6 };
        using var evaluated = model.forward(ids, null);
        evaluated.Values().Should().Equal(before.Values());
        model.train();
        using var dropped = model.forward(ids, null);
        dropped.Values().Should().NotEqual(before.Values());
    }

    [Fact]
    public void AlgorithmDrawsFromTheRunsGeneratorDeterministically()
    {
        bool[] Pattern(long seed, out FitResult fit, out float[] weights)
        {
            manual_seed(3);
            using var model = SmallBert(preLayerNorm: true, layers: 4);
            var algorithm = new ProgressiveLayerDropAlgorithm(new ProgressiveLayerDropOptions { Theta = 0.3, Gamma = 0.5 });
            var run = Train(model, new IAlgorithm[] { algorithm }, max: "3ba", seed: seed);
            fit = run.Fit;
            weights = model.parameters().SelectMany(p => p.Values()).ToArray();
            algorithm.LastKeep.Should().HaveCount(4);
            return algorithm.LastKeep!.ToArray();
        }
        var first = Pattern(11, out var fit, out var w1);
        fit.SurgeryReport.Should().Equal("ProgressiveLayerDrop: replaced 4 encoder layers with droppable layers (theta 0.3, gamma 0.5)");
        Pattern(11, out _, out var w2).Should().Equal(first);
        w2.Should().Equal(w1);
        // The last batch ran at t = 2: θ = 0.3 + 0.7·e^-1 ≈ 0.558, and its pattern is the run generator's third draw.
        using var g = new Generator(11);
        var theta = ProgressiveLayerDrop.Theta(2, 0.3, 0.5);
        var probabilities = ProgressiveLayerDrop.KeepProbabilities(4, theta);
        ProgressiveLayerDrop.SampleKeep(probabilities, g);
        ProgressiveLayerDrop.SampleKeep(probabilities, g);
        ProgressiveLayerDrop.SampleKeep(probabilities, g).Should().Equal(first);
    }

    [Fact]
    public void NothingToReplaceIsReportedNotThrown()
    {
        using var model = new TokenNet();
        var algorithm = new ProgressiveLayerDropAlgorithm();
        var run = Train(model, algorithm);
        run.Fit.SurgeryReport.Should().Equal("ProgressiveLayerDrop: replaced 0 encoder layers with droppable layers (theta 0.5, gamma 0.001)");
        algorithm.LastKeep.Should().BeNull();
    }

    [Fact]
    public void BadArgumentsAndOptionsAreReported()
    {
        var o = new ProgressiveLayerDropOptions();
        (o.Theta, o.Gamma).Should().Be((0.5, 0.001));
        var act = () => new ProgressiveLayerDropAlgorithm(new ProgressiveLayerDropOptions { Theta = 0, Gamma = -1 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "ProgressiveLayerDropOptions is invalid: Property Theta: 0 is invalid; expected a value in (0, 1]. " +
            "Property Gamma: -1 is invalid; expected a finite value >= 0.");
        FluentActions.Invoking(() => ProgressiveLayerDrop.Theta(-1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("step");
        FluentActions.Invoking(() => ProgressiveLayerDrop.KeepProbabilities(3, 1.5)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("thetaAtStep");
        using var model = SmallBert();
        var layerSwitch = ProgressiveLayerDrop.Apply(model);
        FluentActions.Invoking(() => layerSwitch.Keep = new[] { true }).Should().Throw<ArgumentException>()
            .WithMessage("Keep has 1 entries; expected one per wrapped layer (2).*");
        FluentActions.Invoking(() => layerSwitch.KeepProbabilities = new[] { 0.5, 0.0 }).Should().Throw<ArgumentException>()
            .WithMessage("KeepProbabilities must be in (0, 1] (got 0.5, 0).*");
    }
}
