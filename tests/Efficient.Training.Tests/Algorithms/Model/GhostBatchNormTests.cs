using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Model.ModelReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public class GhostBatchNormTests
{
    /// <summary>Replays the PyTorch case: two training steps (outputs, gradients, running stats), then evaluation.</summary>
    private static void CheckAgainstPyTorch(string section, BatchNorm bn, long[] inputShape)
    {
        using var scope = NewDisposeScope();
        var r = Section(section);
        Set(bn.weight, r.T("weight"));
        Set(bn.bias!, r.T("bias"));
        var ghost = new GhostBatchNormLayer(bn, r.GetProperty("ghost_batch_size").GetInt64());
        ghost.named_parameters().Select(p => p.name).Should().Equal("weight", "bias");
        ghost.named_buffers().Select(b => b.name).Should().Equal("running_mean", "running_var", "num_batches_tracked");
        for (var step = 1; step <= 2; step++)
        {
            ghost.zero_grad();
            var x = r.T($"x{step}");
            x.shape.Should().Equal(inputShape);
            var y = ghost.call(x);
            y.Values().ShouldBeClose(r.Floats($"y{step}"), 1e-5, 1e-5);
            (y * r.T($"g{step}")).sum().backward();
            bn.weight.grad!.Values().ShouldBeClose(r.Floats($"grad_weight{step}"), 1e-4, 1e-5);
            bn.bias!.grad!.Values().ShouldBeClose(r.Floats($"grad_bias{step}"), 1e-4, 1e-5);
            bn.running_mean!.Values().ShouldBeClose(r.Floats($"running_mean{step}"), 1e-5, 1e-6);
            bn.running_var!.Values().ShouldBeClose(r.Floats($"running_var{step}"), 1e-5, 1e-6);
            bn.num_batches_tracked!.item<long>().Should().Be(r.GetProperty($"num_batches_tracked{step}").GetInt64(), "every ghost batch counts as one batch");
        }
        ghost.eval();
        ghost.call(r.T("x_eval")).Values().ShouldBeClose(r.Floats("y_eval"), 1e-5, 1e-5);
    }

    [Fact]
    public void BatchNorm2dWithMomentumMatchesPyTorchPerChunk() =>
        CheckAgainstPyTorch("ghost_bn2d", nn.BatchNorm2d(3, momentum: 0.1), new long[] { 10, 3, 2, 2 });

    [Fact]
    public void BatchNorm1dWithCumulativeAverageMatchesPyTorchPerChunk()
    {
        var bn = nn.BatchNorm1d(3);
        bn.momentum = null;
        CheckAgainstPyTorch("ghost_bn1d_cumulative", bn, new long[] { 8, 3 });
    }

    [Fact]
    public void EvaluationAndSmallBatchesAreExactlyBatchNorm()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var plain = nn.BatchNorm2d(4);
        var twin = nn.BatchNorm2d(4);
        var ghost = new GhostBatchNormLayer(twin, 8);
        var x = randn(6, 4, 3, 3);
        // A batch no larger than the ghost batch is one chunk: plain batch norm, bit for bit.
        ghost.call(x).Values().Should().Equal(plain.call(x).Values());
        twin.running_mean!.Values().Should().Equal(plain.running_mean!.Values());
        twin.running_var!.Values().Should().Equal(plain.running_var!.Values());
        plain.eval();
        ghost.eval();
        var big = randn(20, 4, 3, 3);
        ghost.call(big).Values().Should().Equal(plain.call(big).Values());
        FluentActions.Invoking(() => ghost.call(randn(2, 5, 3, 3))).Should().Throw<ArgumentException>()
            .WithMessage("GhostBatchNorm (BatchNorm2d): the input has shape [2, 5, 3, 3]; expected 4-D input with 4 channels in dimension 1.*");
    }

    [Fact]
    public void ApplyReplacesEveryBatchNormAndKeepsTheParameters()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(3, 4, 1)), ("bn", nn.BatchNorm2d(4)), ("flat", nn.Flatten()), ("bn1d", nn.BatchNorm1d(4 * 9)), ("bn3d", nn.BatchNorm3d(2)));
        var before = model.parameters().ToList();
        GhostBatchNorm.Apply(model, 16).Should().Be(3);
        model.named_modules().Select(m => m.module).OfType<GhostBatchNormLayer>().Select(m => m.Replaced).Should().Equal("BatchNorm2d", "BatchNorm1d", "BatchNorm3d");
        model.parameters().Should().Equal(before, (a, b) => ReferenceEquals(a, b), "the replacements take over the parameters");
        model.state_dict().Keys.Should().Contain("bn.running_mean").And.Contain("bn1d.num_batches_tracked");
        GhostBatchNorm.Apply(model, 16).Should().Be(0, "already replaced layers are left alone");
        using var noBn = nn.Linear(3, 3);
        GhostBatchNorm.Apply(noBn).Should().Be(0);
        FluentActions.Invoking(() => GhostBatchNorm.Apply(model, 0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("ghostBatchSize");
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndNameTheFailure()
    {
        new GhostBatchNormOptions().GhostBatchSize.Should().Be(32);
        FluentActions.Invoking(() => new GhostBatchNormAlgorithm(new GhostBatchNormOptions { GhostBatchSize = 0 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("GhostBatchNormOptions is invalid: Property GhostBatchSize: 0 is invalid; expected an integer >= 1.");
    }

    [Fact]
    public void AlgorithmReplacesAndReportsInsideTheTrainer()
    {
        manual_seed(1);
        using var model = new ModelNets.ConvNet();
        var options = ModelNets.TwoBatches(model, new GhostBatchNormAlgorithm(new GhostBatchNormOptions { GhostBatchSize = 4 }));
        var result = new Trainer(options).Fit();
        result.SurgeryReport.Should().Equal("GhostBatchNorm: replaced 1 batch norm with ghost batch size 4");
        var bn = model.named_modules().Single(m => m.name == "bn1").module.Should().BeOfType<GhostBatchNormLayer>().Subject;
        bn.named_buffers().Single(b => b.name == "num_batches_tracked").buffer.item<long>().Should().Be(4, "two batches of 8 in ghost batches of 4");
    }
}
