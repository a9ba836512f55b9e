using Efficient.Training.Algorithms;
using Efficient.Training.Models;
using Efficient.Training.Tests.Models;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;
using static Efficient.Training.Tests.Algorithms.Model.TransformerRuns;
using static Efficient.Training.Tests.Models.TransformerReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public class GatedLinearUnitsTests
{
    private static readonly System.Text.Json.JsonElement Ref = Section("glu");

    [Theory]
    [InlineData(GluActivation.Gelu, "gelu", false)]
    [InlineData(GluActivation.GeluTanh, "gelu_tanh", false)]
    [InlineData(GluActivation.Silu, "silu", false)]
    [InlineData(GluActivation.Relu, "relu", false)]
    [InlineData(GluActivation.Sigmoid, "sigmoid_biases", true)]
    public void FunctionalFormMatchesPyTorch(GluActivation activation, string expected, bool biases)
    {
        using var x = tensor(Ref.Floats("x"), 2, 3, 8);
        using var wg = tensor(Ref.Floats("gated_weight"), 12, 8);
        using var wn = tensor(Ref.Floats("non_gated_weight"), 12, 8);
        using var wo = tensor(Ref.Floats("output_weight"), 8, 12);
        using var bo = tensor(Ref.Floats("output_bias"), new long[] { 8 });
        using var bg = tensor(Ref.Floats("gated_bias"), new long[] { 12 });
        using var bn = tensor(Ref.Floats("non_gated_bias"), new long[] { 12 });
        using var y = GatedLinearUnits.Forward(x, wg, biases ? bg : null, wn, biases ? bn : null, wo, bo, activation);
        y.shape.Should().Equal(2, 3, 8);
        y.Values().ShouldBeClose(Ref.Floats(expected), rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void EncoderAfterSurgeryMatchesPyTorch()
    {
        var c = Section("bert_glu");
        using var model = new BertEncoder(Options(c));
        GatedLinearUnits.Apply(model).Should().Be(2);
        model.named_modules().Select(m => m.module).OfType<BertFeedForward>().Should().BeEmpty();
        // Composer's defaults: no bias on the gated and non-gated layers (LoadWeights checks the exact parameter set).
        LoadWeights(model, c);
        ShouldMatchLogits(model, c);
    }

    [Fact]
    public void OptionsChooseBiasesAndWidth()
    {
        using var model = SmallBert();
        GatedLinearUnits.Apply(model, new GatedLinearUnitsOptions { GatedLayerBias = true, IntermediateSize = 6 }).Should().Be(2);
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        shapes["layers.0.feed_forward.gated_layer.weight"].Should().Equal(6, 8);
        shapes["layers.0.feed_forward.gated_layer.bias"].Should().Equal(6);
        shapes.Should().NotContainKey("layers.0.feed_forward.non_gated_layer.bias");
        shapes["layers.0.feed_forward.wo.weight"].Should().Equal(8, 6);
    }

    [Fact]
    public void AlgorithmReplacesTheFeedForwardBlocksAndTrainsThem()
    {
        using var model = SmallBert();
        var run = Train(model, new GatedLinearUnitsAlgorithm());
        run.Fit.SurgeryReport.Should().Equal("GatedLinearUnits: replaced 2 feed-forward blocks with gated linear units (Gelu)");
        run.Batches.Should().HaveCount(2);
        // The new blocks are in the optimizer: Adam moved their weights.
        var gated = model.named_parameters().Single(p => p.name == "layers.1.feed_forward.gated_layer.weight").parameter;
        gated.grad.Should().NotBeNull();
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());
    }

    [Fact]
    public void NothingToReplaceIsReportedNotThrown()
    {
        using var model = new TokenNet();
        var run = Train(model, new GatedLinearUnitsAlgorithm());
        run.Fit.SurgeryReport.Should().Equal("GatedLinearUnits: replaced 0 feed-forward blocks with gated linear units (Gelu)");
    }

    [Fact]
    public void DefaultsFollowComposerAndBadOptionsListEveryFailure()
    {
        var o = new GatedLinearUnitsOptions();
        (o.Activation, o.GatedLayerBias, o.NonGatedLayerBias, o.IntermediateSize).Should().Be((GluActivation.Gelu, false, false, (long?)null));
        var act = () => new GatedLinearUnitsAlgorithm(new GatedLinearUnitsOptions { Activation = (GluActivation)42, IntermediateSize = 0 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "GatedLinearUnitsOptions is invalid: Property Activation: 42 is invalid; expected one of Gelu, GeluTanh, Relu, Silu, Sigmoid. " +
            "Property IntermediateSize: 0 is invalid; expected null or an integer >= 1.");
    }

    [Fact]
    public void BadShapesNameTheParameter()
    {
        using var x = ones(2, 8);
        using var w = ones(12, 8);
        using var wrongOut = ones(8, 5);
        FluentActions.Invoking(() => GatedLinearUnits.Forward(x, w, null, w, null, wrongOut, null)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("outputWeight");
        using var wrongX = ones(2, 7);
        FluentActions.Invoking(() => GatedLinearUnits.Forward(wrongX, w, null, w, null, ones(8, 12), null)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("input");
    }
}
