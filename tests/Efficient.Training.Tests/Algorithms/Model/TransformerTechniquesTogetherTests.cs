using Efficient.Training.Algorithms;
using Efficient.Training.Models;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Model.TransformerRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>GLU, ALiBi and progressive layer dropping together, through a checkpoint and an exact resume.</summary>
public sealed class TransformerTechniquesTogetherTests
{
    private static BertEncoder Model()
    {
        manual_seed(5);
        return SmallBert(preLayerNorm: true, layers: 3);
    }

    private static TrainerOptions Options(BertEncoder model, string? folder)
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
        using var runs = ResumeHarness.Run(Model, Options, interruptAt: 4, resumedModel: () =>
        {
            manual_seed(999);
            return Model();
        });
        var (reference, full) = (runs.Uninterrupted.Model, runs.Uninterrupted.Result);
        full.SurgeryReport.Should().Equal(
            "GatedLinearUnits: replaced 3 feed-forward blocks with gated linear units (Gelu)",
            "Alibi: replaced 3 attention modules with ALiBi attention, removed 1 position embeddings",
            "ProgressiveLayerDrop: replaced 3 encoder layers with droppable layers (theta 0.5, gamma 0.3)");

        runs.Interrupted.Result.StopReason.Should().Be("cancelled");

        var (second, resumed) = (runs.Resumed.Model, runs.Resumed.Result);
        resumed.Timestamp.Batch.Should().Be(10);
        var expected = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter.Values());
        foreach (var (name, p) in second.named_parameters()) p.Values().Should().Equal(expected[name], $"{name} must be bit-identical after resume");
    }
}
