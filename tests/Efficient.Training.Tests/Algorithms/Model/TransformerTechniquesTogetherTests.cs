using System.IO;
using System.Threading;
using Efficient.Training.Algorithms;
using Efficient.Training.Models;
using static Efficient.Training.Tests.Algorithms.Model.TransformerRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>GLU, ALiBi and progressive layer dropping together, through a checkpoint and an exact resume.</summary>
public sealed class TransformerTechniquesTogetherTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-bert-" + Guid.NewGuid().ToString("N"));

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

    private static BertEncoder Model()
    {
        manual_seed(5);
        return SmallBert(preLayerNorm: true, layers: 3);
    }

    private TrainerOptions Options(BertEncoder model, string? folder)
    {
        var (x, y) = Tokens(n: 24, length: 16);
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.AdamW(p, 1e-2),
            TrainData = new TensorTrainingData(x, y, 4, shuffle: true, seed: 2, tokensOf: t => t.numel()),
            MaxDuration = Duration.Parse("10ba"),
            Seed = 17,
        };
        options.Algorithms.Add(new GatedLinearUnitsAlgorithm());
        options.Algorithms.Add(new AlibiAlgorithm(new AlibiOptions { TrainSequenceLengthScaling = 0.5 }));
        options.Algorithms.Add(new ProgressiveLayerDropAlgorithm(new ProgressiveLayerDropOptions { Gamma = 0.3 }));
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("3ba"), KeepLast = 2 };
        return options;
    }

    [Fact]
    public void InterruptedAndResumedRunEqualsUninterruptedToTheBit()
    {
        using var reference = Model();
        var full = new Trainer(Options(reference, null)).Fit();
        full.SurgeryReport.Should().Equal(
            "GatedLinearUnits: replaced 3 feed-forward blocks with gated linear units (Gelu)",
            "Alibi: replaced 3 attention modules with ALiBi attention, removed 1 position embeddings",
            "ProgressiveLayerDrop: replaced 3 encoder layers with droppable layers (theta 0.5, gamma 0.3)");

        using var first = Model();
        using var cts = new CancellationTokenSource();
        var options = Options(first, _folder);
        options.Callbacks.Add(new CancelAt(4, cts));
        new Trainer(options).Fit(cts.Token).StopReason.Should().Be("cancelled");

        manual_seed(999);
        using var second = Model();
        var resumed = new Trainer(Options(second, _folder)).Fit();
        resumed.Timestamp.Batch.Should().Be(10);
        var expected = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter.Values());
        foreach (var (name, p) in second.named_parameters()) p.Values().Should().Equal(expected[name], $"{name} must be bit-identical after resume");
    }
}
