using System.Collections.Generic;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Model.ModelTestRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

public class LayerFreezingTests
{
    [Fact]
    public void ScheduleMatchesComposer()
    {
        LayerFreezing.FreezeFraction(0.4).Should().Be(0);
        LayerFreezing.FreezeFraction(0.5).Should().Be(0);
        LayerFreezing.FreezeFraction(0.75).Should().Be(0.5);
        LayerFreezing.FreezeFraction(1).Should().Be(1);
        LayerFreezing.FreezeFraction(1, 0.5, 0.5).Should().Be(0.5);
        LayerFreezing.FreezeFraction(0.6, 0.2, 0.8).Should().BeApproximately(0.4, 1e-15);
    }

    // Expected values worked out by hand from Composer's freeze_layers: layers = the parameter-bearing
    // leaves (_get_layers), freeze_depth = int(fraction · len(layers[0:-1])), the last layer never frozen.
    [Fact]
    public void LayersAreTheParameterBearingLeavesAsComposerFindsThem()
    {
        using var model = new StridedNet();   // conv1, down, pool (no parameters), conv2, head
        LayerFreezing.Layers(model).Select(l => l.Name).Should().Equal("conv1", "down", "conv2", "head");
        // 4 layers, 3 freezable: floor(fraction · 3).
        new[] { 0.0, 0.5, 0.6, 0.75, 0.9, 1.0 }.Select(p => LayerFreezing.FreezeDepth(4, p)).Should().Equal(0, 0, 0, 1, 2, 3);
        LayerFreezing.FreezeDepth(4, 1.0, 0.5, 0.5).Should().Be(1);
        LayerFreezing.FreezeDepth(1, 1.0).Should().Be(0);
    }

    [Fact]
    public void AModelEndingInParameterlessModulesKeepsItsRealHead()
    {
        using var model = nn.Sequential(("fc1", nn.Linear(4, 4)), ("act1", nn.ReLU()), ("fc2", nn.Linear(4, 4)), ("act2", nn.ReLU()), ("drop", nn.Dropout(0.1)));
        LayerFreezing.Layers(model).Select(l => l.Name).Should().Equal("fc1", "fc2");
        LayerFreezing.Freeze(model, 1.0).NewlyFrozen.Should().Equal("fc1");
        Frozen(model).Should().Equal("fc1.bias", "fc1.weight");
        model.get_parameter("fc2.weight")!.requires_grad.Should().BeTrue("fc2 is the head even though a ReLU and a dropout follow it");
    }

    [Fact]
    public void FreezeTurnsOffGradientsFromTheInputSideAndOnlyGrows()
    {
        using var model = new StridedNet();
        var (depth, newly) = LayerFreezing.Freeze(model, 0.75);
        depth.Should().Be(1);
        newly.Should().Equal("conv1");
        Frozen(model).Should().Equal("conv1.bias", "conv1.weight");
        LayerFreezing.Freeze(model, 0.9).NewlyFrozen.Should().Equal("down");
        LayerFreezing.Freeze(model, 1.0).NewlyFrozen.Should().Equal("conv2");
        LayerFreezing.Freeze(model, 0.8).Depth.Should().Be(1, "the depth is a function of the progress; nothing is unfrozen");
        Frozen(model).Should().HaveCount(6);

        // The frozen set depends only on the progress: one call at the end freezes the same layers.
        using var fresh = new StridedNet();
        LayerFreezing.Freeze(fresh, 1.0);
        Frozen(fresh).Should().Equal(Frozen(model));
    }

    private static string[] Frozen(nn.Module m) => m.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    private sealed class WeightRecorder : ITrainingCallback
    {
        public List<Dictionary<string, float[]>> AfterBatch { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd) AfterBatch.Add(Weights(state.Model));
        }
    }

    [Fact]
    public void FrozenWeightsDoNotChangeEvenWithMomentum()
    {
        var (x, y) = Images(16, 8);
        manual_seed(1);
        using var model = new StridedNet();
        var initial = Weights(model);
        var algorithm = new LayerFreezingAlgorithm(new LayerFreezingOptions { FreezeStart = 0, FreezeLevel = 1 });
        var recorder = new WeightRecorder();
        var options = Options(model, x, y, max: "4ba");
        options.Algorithms.Add(algorithm);
        options.Callbacks.Add(recorder);
        var result = new Trainer(options).Fit();
        result.SurgeryReport.Should().Equal("LayerFreezing: replaced 0 modules; will freeze up to 3 of 4 layers from progress 0");

        // At the start of batch k (progress k/4) floor(3k/4) layers are frozen: none for batches 0
        // and 1, conv1 from batch 2, down from batch 3; conv2 and the head train to the end.
        var w = recorder.AfterBatch;
        w.Should().HaveCount(4);
        Changed(initial, w[0], "conv1.weight").Should().BeTrue();
        Changed(w[0], w[1], "conv1.weight").Should().BeTrue();
        Changed(w[1], w[3], "conv1.weight").Should().BeFalse("conv1 is frozen from the third batch on, momentum notwithstanding");
        Changed(w[1], w[2], "down.weight").Should().BeTrue();
        Changed(w[2], w[3], "down.weight").Should().BeFalse();
        Changed(w[2], w[3], "down.bias").Should().BeFalse();
        Changed(w[2], w[3], "conv2.weight").Should().BeTrue();
        Changed(w[2], w[3], "head.weight").Should().BeTrue();
        algorithm.FrozenDepth.Should().Be(2);
        model.get_parameter("conv1.weight")!.requires_grad.Should().BeFalse();
        model.get_parameter("conv2.weight")!.requires_grad.Should().BeTrue();
    }

    private static bool Changed(Dictionary<string, float[]> a, Dictionary<string, float[]> b, string name) => !a[name].SequenceEqual(b[name]);

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        new LayerFreezingOptions().Should().BeEquivalentTo(new { FreezeStart = 0.5, FreezeLevel = 1.0 });
        FluentActions.Invoking(() => new LayerFreezingAlgorithm(new LayerFreezingOptions { FreezeStart = 1, FreezeLevel = 2 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("LayerFreezingOptions is invalid: Property FreezeStart: 1 is invalid; expected a value in [0, 1). Property FreezeLevel: 2 is invalid; expected a value in [0, 1].");
        FluentActions.Invoking(() => LayerFreezing.FreezeFraction(1.5)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("progress");
    }
}
