using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Model.ModelTestRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>Checkpoints taken with surgery algorithms active reload into a fresh trainer and model.</summary>
public sealed class SurgeryCheckpointTests
{
    private static TrainerOptions Make(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, string? folder)
    {
        var options = Options(model, x, y, max: "3ep", batchSize: 4);
        options.Algorithms.Add(new BlurPoolAlgorithm());
        options.Algorithms.Add(new SqueezeExciteAlgorithm(new SqueezeExciteOptions { MinChannels = 32, LatentChannels = 0.25 }));
        options.Algorithms.Add(new StochasticDepthAlgorithm(new StochasticDepthOptions { DropRate = 0.5, DropWarmup = 0.2 }));
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("1ba") };
        return options;
    }

    private static Efficient.Training.Models.ResNet Fresh()
    {
        manual_seed(11);
        return SmallResNet();
    }

    [Fact]
    public void ResumedRunContinuesIdenticallyToTheUninterruptedOne()
    {
        var (x, y) = Images(12, 8);

        using var runs = ResumeHarness.Run(Fresh, (model, folder) => Make(model, x, y, folder), interruptAt: 4, resumedModel: () =>
        {
            manual_seed(999); // the resumed run must not depend on the ambient RNG
            return SmallResNet(); // a new instance with other initial weights: the checkpoint restores them
        });
        var (reference, full) = (runs.Uninterrupted.Model, runs.Uninterrupted.Result);
        full.Timestamp.Batch.Should().Be(9);
        full.SurgeryReport.Should().Equal(
            "BlurPool: replaced 4 strided convs, 0 max-pools",
            "SqueezeExcite: replaced 4 convs with conv + squeeze-excite",
            "StochasticDepth: replaced 3 residual branches of BasicBlock (block-wise, drop rate 0.5, linear)");
        var expected = Weights(reference);

        runs.Interrupted.Result.Timestamp.Batch.Should().Be(4);

        var (second, resumed) = (runs.Resumed.Model, runs.Resumed.Result);
        resumed.Timestamp.Batch.Should().Be(9);
        resumed.SurgeryReport.Should().Equal(full.SurgeryReport);
        ModuleNames(second).Should().Equal(ModuleNames(reference));
        var actual = Weights(second);
        actual.Keys.Should().Equal(expected.Keys);
        foreach (var (name, values) in expected) actual[name].Should().Equal(values, $"parameter {name} must continue identically");
    }
}
