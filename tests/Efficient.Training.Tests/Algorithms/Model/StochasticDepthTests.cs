using System.Collections.Generic;
using Efficient.Training.Algorithms;
using Efficient.Training.Models;
using static Efficient.Training.Tests.Algorithms.Model.ModelTestRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

public class StochasticDepthTests
{
    [Fact]
    public void DropRatesPerLayerForLinearAndUniform()
    {
        StochasticDepth.DropRates(4, 0.2).Should().Equal(new[] { 0.05, 0.1, 0.15, 0.2 }, (a, b) => Math.Abs(a - b) < 1e-15);
        StochasticDepth.DropRates(3, 0.3, StochasticDepthDistribution.Uniform).Should().Equal(0.3, 0.3, 0.3);
        StochasticDepth.DropRates(0, 0.3).Should().BeEmpty();
    }

    [Fact]
    public void WarmupGrowsLinearlyThenHolds()
    {
        StochasticDepth.WarmupDropRate(0.2, 0, 0.5).Should().Be(0);
        StochasticDepth.WarmupDropRate(0.2, 0.25, 0.5).Should().BeApproximately(0.1, 1e-15);
        StochasticDepth.WarmupDropRate(0.2, 0.75, 0.5).Should().Be(0.2);
        StochasticDepth.WarmupDropRate(0.2, 0.1, 0).Should().Be(0.2);
    }

    [Fact]
    public void SampleWiseMaskMatchesHandComputation()
    {
        using var scope = NewDisposeScope();
        var x = arange(32, dtype: ScalarType.Float32).reshape(4, 2, 2, 2) + 1;
        using var g = new Generator(5);
        var y = StochasticDepth.DropPath(x, 0.25, training: true, generator: g);
        using var replay = new Generator(5);
        var u = rand(new long[] { 4, 1, 1, 1 }, generator: replay).Values();
        var xv = x.Values();
        var expected = new float[32];
        for (var i = 0; i < 32; i++)
        {
            var keep = Math.Floor(0.75 + u[i / 8]);
            expected[i] = (float)(xv[i] / 0.75 * keep);
        }
        y.Values().ShouldBeClose(expected, 1e-6, 0);
        StochasticDepth.DropPath(x, 0.25, training: false).Values().Should().Equal(xv);
        StochasticDepth.DropPath(x, 1, training: true).Values().Should().OnlyContain(v => v == 0);
    }

    [Fact]
    public void SurgeryWrapsEachResidualBranchWithLinearRates()
    {
        using var model = SmallResNet();
        var surgery = new ModelSurgery(model) { CurrentAlgorithm = "StochasticDepth" };
        var algorithm = new StochasticDepthAlgorithm();
        algorithm.Apply(model, surgery);
        surgery.Report.Should().Equal("StochasticDepth: replaced 3 residual branches of BasicBlock (block-wise, drop rate 0.2, linear)");
        algorithm.Branches.Select(b => b.DropRate).Should().Equal(new[] { 0.2 / 3, 0.4 / 3, 0.2 }, (a, b) => Math.Abs(a - b) < 1e-15);
        var names = ModuleNames(model);
        names.Should().Contain(new[] { "layers.0.residual:StochasticBranch", "layers.0.residual.branch:Sequential", "layers.0.residual.branch.0:Conv2d", "layers.2.residual:StochasticBranch" });
        names.Should().NotContain(n => n.StartsWith("layers.0.shortcut.") || n.Contains("shortcut:StochasticBranch"));
        ((IResidualBlock)model.named_modules().Single(m => m.name == "layers.1").module).ResidualBranch.Should().BeOfType<StochasticBranch>();
    }

    [Fact]
    public void ZeroDropRateIsTheIdentityReplacement()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var model = SmallResNet();
        var x = randn(4, 3, 8, 8);
        model.train();
        var before = model.call(x).Values();
        StochasticDepth.Apply(model, new StochasticDepthOptions { DropRate = 0 });
        model.call(x).Values().ShouldBeClose(before, 0, 0);
    }

    [Fact]
    public void BlockWiseDropsTheWholeBranchWithTheInjectedGeneratorAndScalesAtEval()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var block = new BasicBlock(4, 8, stride: 2);
        var x = randn(2, 4, 6, 6);
        block.eval();
        var f = block.ResidualBranch.call(x);
        var s = block.Shortcut.call(x);
        var full = (f + s).relu().Values();
        var skipped = s.relu().Values();
        var scaled = (f * 0.5 + s).relu().Values();

        StochasticDepth.Apply(block, new StochasticDepthOptions { DropRate = 0.5, DropDistribution = StochasticDepthDistribution.Uniform }, new Generator(9));
        block.call(x).Values().ShouldBeClose(scaled, 1e-6, 1e-6);

        var branch = (StochasticBranch)block.ResidualBranch;
        branch.train();
        branch.Branch.eval(); // the wrapper trains (drops), the BN layers keep their running statistics

        using var replay = new Generator(9);
        var dropped = 0;
        for (var i = 0; i < 12; i++)
        {
            var u = rand(new long[] { 1 }, generator: replay).item<float>();
            var y = block.call(x).Values();
            if (u < 0.5)
            {
                y.ShouldBeClose(skipped, 0, 0);
                dropped++;
            }
            else y.ShouldBeClose(full, 1e-6, 1e-6);
        }
        dropped.Should().BeInRange(1, 11, "both outcomes occur in 12 draws with this seed");
        branch.Drops.Should().Be(dropped);
    }

    [Fact]
    public void SampleWiseEvalUsesTheBranchUnchanged()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var block = new BasicBlock(4, 4);
        var x = randn(2, 4, 5, 5);
        block.eval();
        var before = block.call(x).Values();
        StochasticDepth.Apply(block, new StochasticDepthOptions { StochasticMethod = StochasticDepthMethod.Sample, DropRate = 0.5 });
        block.call(x).Values().ShouldBeClose(before, 0, 0);
    }

    private sealed class RateRecorder : ITrainingCallback
    {
        private readonly StochasticDepthAlgorithm _algorithm;
        public RateRecorder(StochasticDepthAlgorithm algorithm) => _algorithm = algorithm;
        public List<double[]> Rates { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BeforeForward) Rates.Add(_algorithm.Branches.Select(b => b.DropRate).ToArray());
        }
    }

    [Fact]
    public void WarmupInTheTrainerFollowsTheProgress()
    {
        var (x, y) = Images(16, 8);
        using var model = SmallResNet(width: 4);
        var algorithm = new StochasticDepthAlgorithm(new StochasticDepthOptions { DropRate = 0.3, DropWarmup = 0.5, DropDistribution = StochasticDepthDistribution.Uniform });
        var recorder = new RateRecorder(algorithm);
        var options = Options(model, x, y, max: "4ba");
        options.Algorithms.Add(algorithm);
        options.Callbacks.Add(recorder);
        new Trainer(options).Fit();
        // Progress at the start of batch k is k/4; the rate is 0.3 · min(1, (k/4) / 0.5).
        recorder.Rates.Select(r => r[0]).Should().Equal(new[] { 0, 0.15, 0.3, 0.3 }, (a, b) => Math.Abs(a - b) < 1e-12);
        recorder.Rates.Should().OnlyContain(r => r.Length == 3 && r.Distinct().Count() == 1);
    }

    [Fact]
    public void NonResidualTargetIsAClearErrorAndNoTargetReportsZero()
    {
        using var model = new StridedNet();
        FluentActions.Invoking(() => StochasticDepth.Apply(model, new StochasticDepthOptions { TargetLayerName = "Conv2d" }))
            .Should().Throw<InvalidOperationException>().WithMessage("*'conv1' (Conv2d) matches TargetLayerName 'Conv2d' but does not implement IResidualBlock*");
        var surgery = new ModelSurgery(model) { CurrentAlgorithm = "StochasticDepth" };
        new StochasticDepthAlgorithm().Apply(model, surgery);
        surgery.Report.Single().Should().StartWith("StochasticDepth: replaced 0 residual branches");
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        new StochasticDepthOptions().Should().BeEquivalentTo(new
        {
            TargetLayerName = "BasicBlock", StochasticMethod = StochasticDepthMethod.Block, DropRate = 0.2,
            DropDistribution = StochasticDepthDistribution.Linear, DropWarmup = 0.0,
        });
        FluentActions.Invoking(() => new StochasticDepthAlgorithm(new StochasticDepthOptions { TargetLayerName = " ", DropRate = 1.5, DropWarmup = -0.1 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("StochasticDepthOptions is invalid: Property TargetLayerName: ' ' is invalid; expected the type name of the residual blocks to target (e.g. 'BasicBlock'). Property DropRate: 1.5 is invalid; expected a value in [0, 1]. Property DropWarmup: -0.1 is invalid; expected a value in [0, 1].");
        FluentActions.Invoking(() => StochasticDepth.DropPath(ones(2), 2)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("dropRate");
    }
}
