using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>
/// A checkpoint taken with Factorize and GhostBatchNorm active reloads into a fresh Trainer and a
/// new model instance (surgery is redone before the weights are loaded) and continues bit for bit.
/// </summary>
public sealed class ModelSurgeryCheckpointTests
{
    private static TrainerOptions Make(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, string? folder)
    {
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.05, momentum: 0.9),
            TrainData = new TensorTrainingData(x, y, 8, shuffle: true, seed: 3),
            MaxDuration = Duration.Parse("6ba"),
            Seed = 17,
        };
        options.Algorithms.Add(new FactorizeAlgorithm(new FactorizeOptions { MinChannels = 8, MinFeatures = 8 }));
        options.Algorithms.Add(new GhostBatchNormAlgorithm(new GhostBatchNormOptions { GhostBatchSize = 4 }));
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("1ba") };
        return options;
    }

    [Fact]
    public void ResumedRunEqualsUninterruptedToTheBit()
    {
        var (x, y) = ModelNets.Images(24);

        manual_seed(11);
        using var runs = ResumeHarness.Run(() => new ModelNets.ConvNet(), (model, folder) => Make(model, x, y, folder), interruptAt: 4,
            resumedModel: () =>
            {
                manual_seed(999); // a different model instance with different initial weights
                return new ModelNets.ConvNet();
            },
            sameInitialWeights: true);
        var (reference, full) = (runs.Uninterrupted.Model, runs.Uninterrupted.Result);
        full.Timestamp.Batch.Should().Be(6);
        full.SurgeryReport.Should().Equal("Factorize: factorized 1 conv, 1 linear", "GhostBatchNorm: replaced 1 batch norm with ghost batch size 4");

        var stopped = runs.Interrupted.Result;
        stopped.Timestamp.Batch.Should().Be(4);

        var (second, resumed) = (runs.Resumed.Model, runs.Resumed.Result);
        resumed.Timestamp.Batch.Should().Be(6);
        resumed.SurgeryReport.Should().Equal(full.SurgeryReport);
        second.named_modules().Select(m => m.module).OfType<GhostBatchNormLayer>().Should().ContainSingle();
        second.named_modules().Select(m => m.module).OfType<FactorizedConv2d>().Should().ContainSingle();

        var expected = TestModels.Weights(reference);
        var actual = TestModels.Weights(second);
        actual.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (name, w) in expected) actual[name].Should().Equal(w, $"{name} must be bit-identical after resume");
        var buffers = second.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, b) in reference.named_buffers())
            buffers[name].to(ScalarType.Float64).data<double>().ToArray().Should().Equal(b.to(ScalarType.Float64).data<double>().ToArray(), $"buffer {name} (running statistics, batches tracked)");
    }
}
