using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Model.ModelReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public class WeightStandardizationTests
{
    [Theory]
    [InlineData("ws_conv")]
    [InlineData("ws_conv_strided_reflect")]
    public void ForwardAndGradientsMatchPyTorchParametrization(string section)
    {
        using var scope = NewDisposeScope();
        var r = Section(section);
        var reflect = section.Contains("reflect");
        var conv = reflect
            ? nn.Conv2d(2, 3, 3, stride: 2, padding: 1, padding_mode: PaddingModes.Reflect, bias: false)
            : nn.Conv2d(3, 4, 3, padding: 1);
        Set(conv.weight, r.T("weight"));
        if (!reflect) Set(conv.bias!, r.T("bias"));
        var weightBefore = conv.weight.Values();

        WeightStandardization.Standardize(conv.weight).Values().ShouldBeClose(r.Floats("standardized"), 1e-5, 1e-5);
        var standardized = new StandardizedConv2d(conv);
        standardized.named_parameters().Select(p => p.name).Should().Equal(reflect ? new[] { "weight" } : new[] { "weight", "bias" });
        var y = standardized.call(r.T("x"));
        y.Values().ShouldBeClose(r.Floats("y"), 1e-5, 1e-5);
        (y * r.T("g")).sum().backward();
        conv.weight.grad!.Values().ShouldBeClose(r.Floats("grad_weight"), 1e-4, 1e-5);
        if (!reflect) conv.bias!.grad!.Values().ShouldBeClose(r.Floats("grad_bias"), 1e-5, 1e-5);
        conv.weight.Values().Should().Equal(weightBefore, "the stored weight is the trained parameter, not its standardized form");
    }

    [Fact]
    public void StandardizedWeightsHaveZeroMeanAndUnitVariancePerOutputChannel()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var w = randn(new long[] { 5, 3, 2, 2 }) * 4 + 1;
        var s = WeightStandardization.Standardize(w, 1e-10);
        s.mean(new long[] { 1, 2, 3 }).abs().max().ToDouble().Should().BeLessThan(1e-6);
        (s.var(new long[] { 1, 2, 3 }, unbiased: false) - 1).abs().max().ToDouble().Should().BeLessThan(1e-5);
        FluentActions.Invoking(() => WeightStandardization.Standardize(ones(3))).Should().Throw<ArgumentException>()
            .WithMessage("WeightStandardization: the weight has shape [3]; expected [out, in, ...] with at least two dimensions.*").Which.ParamName.Should().Be("weight");
        FluentActions.Invoking(() => WeightStandardization.Standardize(w, 0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("eps");
    }

    [Fact]
    public void ApplyLeavesTheLastConvsAloneAndKeepsTheParameters()
    {
        using var model = new ModelNets.ConvNet();
        var before = model.parameters().ToList();
        WeightStandardization.Apply(model, nLastLayersIgnore: 1).Should().Be(1);
        var kinds = model.named_children().ToDictionary(c => c.name, c => c.module.GetType().Name);
        kinds["conv1"].Should().Be("StandardizedConv2d");
        kinds["conv2"].Should().Be("Conv2d", "the last convolution is ignored");
        model.parameters().Should().Equal(before, (a, b) => ReferenceEquals(a, b));
        model.state_dict().Keys.Should().Contain("conv1.weight").And.Contain("conv1.bias");
        using var linearOnly = nn.Sequential(nn.Linear(3, 3));
        WeightStandardization.Apply(linearOnly).Should().Be(0);
        FluentActions.Invoking(() => WeightStandardization.Apply(model, -1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("nLastLayersIgnore");
    }

    [Fact]
    public void SamePaddingAndGroupsBehaveAsTheOriginalConv()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var conv = nn.Conv2d(4, 6, 4, Padding.Same, groups: 2, dilation: 1);
        var x = randn(2, 4, 5, 5);
        var expected = nn.functional.conv2d(nn.functional.pad(x, new long[] { 1, 2, 1, 2 }), WeightStandardization.Standardize(conv.weight), conv.bias, groups: 2);
        new StandardizedConv2d(conv).call(x).Values().ShouldBeClose(expected.Values(), 1e-6, 1e-6);
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        new WeightStandardizationOptions().NLastLayersIgnore.Should().Be(0);
        new WeightStandardizationOptions().Eps.Should().Be(1e-5);
        FluentActions.Invoking(() => new WeightStandardizationAlgorithm(new WeightStandardizationOptions { NLastLayersIgnore = -2, Eps = 0 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("WeightStandardizationOptions is invalid: Property NLastLayersIgnore: -2 is invalid; expected an integer >= 0. Property Eps: 0 is invalid; expected a finite value > 0.");
    }

    [Fact]
    public void AlgorithmReportsInsideTheTrainer()
    {
        manual_seed(1);
        using var model = new ModelNets.ConvNet();
        var options = ModelNets.TwoBatches(model, new WeightStandardizationAlgorithm());
        new Trainer(options).Fit().SurgeryReport.Should().Equal("WeightStandardization: standardized 2 convs");
        model.named_children().Count(c => c.module is StandardizedConv2d).Should().Be(2);
    }
}
