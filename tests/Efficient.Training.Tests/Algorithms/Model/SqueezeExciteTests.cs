using System.Collections.Generic;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Model.ModelTestRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

public class SqueezeExciteTests
{
    [Fact]
    public void GateMatchesPyTorchWithTheSameWeights()
    {
        var r = Reference("squeeze_excite");
        using var scope = NewDisposeScope();
        var x = r.FloatTensor("input", 2, 6, 4, 5);
        var w1 = r.FloatTensor("w1", 3, 6);
        var w2 = r.FloatTensor("w2", 6, 3);
        SqueezeExcite.Excite(x, w1, w2).Values().ShouldBeClose(r.Floats("output"), 1e-5, 1e-6);

        var gate = new SqueezeExcite2d(6, latentChannels: 0.5);
        gate.Latent.Should().Be(3, "a latent value below 1 is a fraction of the channels");
        using (no_grad())
        {
            gate.Squeeze.weight.copy_(w1);
            gate.Excitation.weight.copy_(w2);
        }
        gate.call(x).Values().ShouldBeClose(r.Floats("output"), 1e-5, 1e-6);
        gate.named_parameters().Select(p => p.name).Should().Equal("fc1.weight", "fc2.weight");

        var conv = nn.Conv2d(2, 6, 3, padding: 1, bias: false);
        using (no_grad()) conv.weight.copy_(r.FloatTensor("conv_weight", 6, 2, 3, 3));
        var wrapped = new SqueezeExciteConv2d(conv, latentChannels: 3);
        using (no_grad())
        {
            wrapped.Gate.Squeeze.weight.copy_(w1);
            wrapped.Gate.Excitation.weight.copy_(w2);
        }
        wrapped.call(r.FloatTensor("conv_input", 2, 2, 4, 5)).Values().ShouldBeClose(r.Floats("conv_output"), 1e-5, 1e-6);
    }

    [Fact]
    public void ZeroExcitationHalvesTheConvOutputSoTheWiringIsExact()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new StridedNet();
        var x = randn(2, 3, 8, 8);
        var before = ModuleNames(model);
        SqueezeExcite.Apply(model, new SqueezeExciteOptions { MinChannels = 16, LatentChannels = 4 }).Should().Be(2, "down and conv2 have 16 input and output channels; conv1 has 3 inputs");
        ModuleNames(model).Should().Equal(
            "conv1:Conv2d", "down:SqueezeExciteConv2d", "pool:MaxPool2d", "conv2:SqueezeExciteConv2d", "head:Linear",
            "down.conv:Conv2d", "down.se:SqueezeExcite2d", "down.se.fc1:Linear", "down.se.fc2:Linear",
            "conv2.conv:Conv2d", "conv2.se:SqueezeExcite2d", "conv2.se.fc1:Linear", "conv2.se.fc2:Linear");
        before.Should().HaveCount(5);

        // With W2 = 0 the gate is sigmoid(0) = 1/2 for every channel: down's output is halved.
        var down = (SqueezeExciteConv2d)model.named_children().Single(c => c.name == "down").module;
        using (no_grad()) down.Gate.Excitation.weight.zero_();
        var h = randn(2, 16, 8, 8);
        var expected = (down.Conv.call(h) * 0.5).Values();
        down.call(h).Values().ShouldBeClose(expected, 1e-6, 1e-7);
        model.call(x).shape.Should().Equal(2, 3);
    }

    [Fact]
    public void ExistingOptimizerGetsTheNewParametersAsANewGroup()
    {
        using var model = new StridedNet();
        var optimizer = optim.SGD(model.parameters(), learningRate: 0.1);
        var before = optimizer.parameters().Count();
        SqueezeExcite.Apply(model, new SqueezeExciteOptions { MinChannels = 16, LatentChannels = 4 }, optimizer).Should().Be(2);
        optimizer.parameters().Should().HaveCount(before + 4);
        new HashSet<TorchSharp.Modules.Parameter>(optimizer.parameters(), ReferenceEqualityComparer.Instance).SetEquals(model.parameters()).Should().BeTrue("the optimizer holds exactly the model's parameters after surgery");
        optimizer.ParamGroups.Should().HaveCount(3, "each replacement's new parameters form a group with the optimizer's defaults");
    }

    [Fact]
    public void DefaultsReplaceNothingInASmallNetAndReportIt()
    {
        using var model = SmallResNet();
        var surgery = new ModelSurgery(model) { CurrentAlgorithm = "SqueezeExcite" };
        new SqueezeExciteAlgorithm().Apply(model, surgery);
        surgery.Report.Should().Equal("SqueezeExcite: replaced 0 convs with conv + squeeze-excite");
        new SqueezeExciteOptions().Should().BeEquivalentTo(new { LatentChannels = 64.0, MinChannels = 128L });
    }

    [Fact]
    public void BadInputsAndOptionsAreNamed()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => SqueezeExcite.Excite(ones(2, 6), ones(3, 6), ones(6, 3))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("input");
        FluentActions.Invoking(() => SqueezeExcite.Excite(ones(1, 6, 2, 2), ones(3, 5), ones(6, 3))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("squeezeWeight");
        FluentActions.Invoking(() => SqueezeExcite.Excite(ones(1, 6, 2, 2), ones(3, 6), ones(6, 2))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("exciteWeight");
        FluentActions.Invoking(() => new SqueezeExciteAlgorithm(new SqueezeExciteOptions { LatentChannels = 0, MinChannels = -2 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("SqueezeExciteOptions is invalid: Property LatentChannels: 0 is invalid; expected a finite value > 0. Property MinChannels: -2 is invalid; expected a channel count >= 0.");
    }
}
