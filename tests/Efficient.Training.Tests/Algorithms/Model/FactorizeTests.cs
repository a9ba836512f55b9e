using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Model.ModelReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public class FactorizeTests
{
    private static Conv2d ReferenceConv()
    {
        var r = Section("factorize_conv");
        var conv = nn.Conv2d(6, 5, 3, stride: 2, padding: 1);
        Set(conv.weight, r.T("weight"));
        Set(conv.bias!, r.T("bias"));
        return conv;
    }

    private static Linear ReferenceLinear()
    {
        var r = Section("factorize_linear");
        var linear = nn.Linear(7, 6);
        Set(linear.weight, r.T("weight"));
        Set(linear.bias!, r.T("bias"));
        return linear;
    }

    [Fact]
    public void FullRankConvReproducesTheOriginal()
    {
        using var scope = NewDisposeScope();
        var r = Section("factorize_conv");
        var conv = ReferenceConv();
        var x = r.T("x");
        var factorized = Factorize.FactorizeConv2d(conv, 5);
        factorized.latent_channels.Should().Be(5);
        factorized.Conv0.weight.shape.Should().Equal(5, 6, 3, 3);
        factorized.Conv1.weight.shape.Should().Equal(5, 5, 1, 1);
        factorized.Conv0.bias.Should().BeNull();
        factorized.call(x).Values().ShouldBeClose(conv.call(x).Values(), 0, 1e-5);
        factorized.call(x).Values().ShouldBeClose(r.Floats("y_full"), 0, 1e-5);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void RankRConvMatchesThePyTorchTruncatedSvd(int rank)
    {
        using var scope = NewDisposeScope();
        var r = Section("factorize_conv");
        var factorized = Factorize.FactorizeConv2d(ReferenceConv(), rank);
        factorized.Conv0.weight.shape.Should().Equal(rank, 6, 3, 3);
        factorized.call(r.T("x")).Values().ShouldBeClose(r.Floats($"y_rank{rank}"), 1e-5, 1e-5);
    }

    [Fact]
    public void LinearFactorizationIsExactAtFullRankAndMatchesPyTorchBelow()
    {
        using var scope = NewDisposeScope();
        var r = Section("factorize_linear");
        var linear = ReferenceLinear();
        var x = r.T("x");
        var full = Factorize.FactorizeLinear(linear, 6);
        full.call(x).Values().ShouldBeClose(linear.call(x).Values(), 0, 1e-5);
        full.call(x).Values().ShouldBeClose(r.Floats("y_full"), 0, 1e-5);
        foreach (var rank in new[] { 1, 3 })
        {
            var low = Factorize.FactorizeLinear(linear, rank);
            low.latent_features.Should().Be(rank);
            low.Linear0.weight.shape.Should().Equal(rank, 7);
            low.Linear1.weight.shape.Should().Equal(6, rank);
            low.Linear0.bias.Should().BeNull();
            low.call(x).Values().ShouldBeClose(r.Floats($"y_rank{rank}"), 1e-5, 1e-5);
        }
    }

    [Fact]
    public void FullRankKeepsSamePaddingDilationAndPaddingMode()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var conv = nn.Conv2d(4, 3, 3, Padding.Same, dilation: 2, padding_mode: PaddingModes.Reflect);
        var x = randn(2, 4, 7, 7);
        var factorized = Factorize.FactorizeConv2d(conv, 3);
        factorized.Conv0.padding_type.Should().Be(Padding.Same);
        factorized.Conv0.padding_mode.Should().Be(PaddingModes.Reflect);
        factorized.call(x).Values().ShouldBeClose(conv.call(x).Values(), 0, 1e-5);
    }

    [Fact]
    public void BadRanksAndGroupedConvsAreRejected()
    {
        using var scope = NewDisposeScope();
        var conv = ReferenceConv();
        FluentActions.Invoking(() => Factorize.FactorizeConv2d(conv, 6)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("Factorize: the rank is 6; expected a value in [1, 5] for a Conv2d with 5 output channels and 6·3·3 inputs per output.*").Which.ParamName.Should().Be("rank");
        FluentActions.Invoking(() => Factorize.FactorizeLinear(ReferenceLinear(), 0)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("Factorize: the rank is 0; expected a value in [1, 6] for a Linear with 7 input and 6 output features.*");
        FluentActions.Invoking(() => Factorize.FactorizeConv2d(nn.Conv2d(4, 4, 3, groups: 2), 1)).Should().Throw<ArgumentException>()
            .WithMessage("Factorize: the Conv2d has groups = 2; only ungrouped convolutions (groups = 1) can be factorized.*").Which.ParamName.Should().Be("conv");
    }

    [Fact]
    public void ApplyFactorizesOnlyLayersThatQualify()
    {
        using var model = new ModelNets.ConvNet();
        // conv1 has 3 input channels (< 8); fc2 3 outputs; conv2 (8→8, rank 2) and fc1 (8→8, rank 2) qualify.
        var options = new FactorizeOptions { MinChannels = 8, MinFeatures = 8 };
        Factorize.Apply(model, options).Should().Be((1, 1));
        var kinds = model.named_children().ToDictionary(c => c.name, c => c.module.GetType().Name);
        kinds["conv1"].Should().Be("Conv2d");
        kinds["conv2"].Should().Be("FactorizedConv2d");
        kinds["fc1"].Should().Be("FactorizedLinear");
        kinds["fc2"].Should().Be("Linear");
        model.state_dict().Keys.Should().Contain("conv2.conv0.weight").And.Contain("conv2.conv1.bias").And.Contain("fc1.linear1.weight");
        ((FactorizedConv2d)model.named_children().Single(c => c.name == "conv2").module).latent_channels.Should().Be(2);

        // A latent size too large for a speed-up (conv2: 8 > 7, fc1: 4 > 3), or the Composer defaults on a tiny model: nothing qualifies.
        using var other = new ModelNets.ConvNet();
        Factorize.Apply(other, new FactorizeOptions { MinChannels = 8, MinFeatures = 8, LatentChannels = 8, LatentFeatures = 4 }).Should().Be((0, 0));
        Factorize.Apply(other).Should().Be((0, 0));
        Factorize.Apply(other, new FactorizeOptions { MinChannels = 1, MinFeatures = 1, FactorizeConvs = false, FactorizeLinears = false }).Should().Be((0, 0));
    }

    [Fact]
    public void LatentSizeAndSpeedupRuleFollowComposer()
    {
        Factorize.LatentSize(0.25, 256, 512).Should().Be(64);
        Factorize.LatentSize(0.01, 8, 8).Should().Be(1);
        Factorize.LatentSize(48, 256, 512).Should().Be(48);
        // fan_in·out / (fan_in + out) − 1, rounded up: 64·64/128 − 1 = 31; 72·8/80 − 1 = 6.2 → 7.
        Factorize.MaxRankWithSpeedup(64, 64).Should().Be(31);
        Factorize.MaxRankWithSpeedup(72, 8).Should().Be(7);
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        var o = new FactorizeOptions();
        (o.FactorizeConvs, o.FactorizeLinears, o.MinChannels, o.LatentChannels, o.MinFeatures, o.LatentFeatures).Should().Be((true, true, 256L, 0.25, 256L, 0.25));
        FluentActions.Invoking(() => new FactorizeAlgorithm(new FactorizeOptions { MinChannels = 0, LatentChannels = 1.5, MinFeatures = -1, LatentFeatures = 0 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("FactorizeOptions is invalid: Property MinChannels: 0 is invalid; expected an integer >= 1. Property LatentChannels: 1.5 is invalid; expected a fraction in (0, 1) or a whole number >= 1. Property MinFeatures: -1 is invalid; expected an integer >= 1. Property LatentFeatures: 0 is invalid; expected a fraction in (0, 1) or a whole number >= 1.");
    }

    [Fact]
    public void AlgorithmReportsWhatItFactorizedAndTrainsTheFactors()
    {
        manual_seed(1);
        using var model = new ModelNets.ConvNet();
        var options = ModelNets.TwoBatches(model, new FactorizeAlgorithm(new FactorizeOptions { MinChannels = 8, MinFeatures = 8 }));
        var trainer = new Trainer(options);
        var result = trainer.Fit();
        result.SurgeryReport.Should().Equal("Factorize: factorized 1 conv, 1 linear");
        trainer.State!.Optimizer.parameters().Should().Contain(p => p.shape.SequenceEqual(new long[] { 2, 8, 3, 3 }), "the optimizer holds the new factors");
    }
}
