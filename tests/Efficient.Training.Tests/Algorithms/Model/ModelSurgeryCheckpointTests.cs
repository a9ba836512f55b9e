using System.IO;
using System.Threading;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>
/// A checkpoint taken with Factorize and GhostBatchNorm active reloads into a fresh Trainer and a
/// new model instance (surgery is redone before the weights are loaded) and continues bit for bit.
/// </summary>
public sealed class ModelSurgeryCheckpointTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-surgery-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private sealed class CancelAt : ITrainingCallback
    {
        private readonly long _batch;
        private readonly CancellationTokenSource _cts;
        public CancelAt(long batch, CancellationTokenSource cts) => (_batch, _cts) = (batch, cts);
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd && state.Timestamp.Batch == _batch) _cts.Cancel();
        }
    }

    private TrainerOptions Make(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, string? folder)
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
        using var reference = new ModelNets.ConvNet();
        var initial = reference.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
        var full = new Trainer(Make(reference, x, y, folder: null)).Fit();
        full.Timestamp.Batch.Should().Be(6);
        full.SurgeryReport.Should().Equal("Factorize: factorized 1 conv, 1 linear", "GhostBatchNorm: replaced 1 batch norm with ghost batch size 4");

        using var first = new ModelNets.ConvNet();
        first.load_state_dict(initial);
        using var cts = new CancellationTokenSource();
        var options = Make(first, x, y, _folder);
        options.Callbacks.Add(new CancelAt(4, cts));
        var stopped = new Trainer(options).Fit(cts.Token);
        stopped.Timestamp.Batch.Should().Be(4);

        manual_seed(999); // a different model instance with different initial weights
        using var second = new ModelNets.ConvNet();
        var trainer = new Trainer(Make(second, x, y, _folder));
        var resumed = trainer.Fit();
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
        foreach (var t in initial.Values) t.Dispose();
    }
}
