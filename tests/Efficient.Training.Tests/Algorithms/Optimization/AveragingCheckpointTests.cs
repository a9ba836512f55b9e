using System.Collections.Generic;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Optimization.OptimizationReference;

namespace Efficient.Training.Tests.Algorithms.Optimization;

/// <summary>EMA and SWA keep their averages in checkpoints: an interrupted and resumed run equals the uninterrupted one.</summary>
public sealed class AveragingCheckpointTests
{
    private static TrainerOptions Make(Net model, Tensor x, Tensor y, IAlgorithm algorithm, string? folder)
    {
        var options = Options(model, x, y, "4ep");
        options.TrainData = new TensorTrainingData(x, y, 4, shuffle: true, seed: 9);
        options.EvalData = new TensorTrainingData(x, y, 6, shuffle: false);
        options.EvalInterval = Duration.Parse("3ba");
        options.Schedulers = (opt, _) => new[] { optim.lr_scheduler.CosineAnnealingLR(opt, 12) };
        options.Algorithms.Add(algorithm);
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("2ba"), KeepLast = 2 };
        return options;
    }

    private static (Dictionary<string, float[]> full, Dictionary<string, float[]> resumed, FitResult fullResult, FitResult resumedResult) RunBoth(Func<IAlgorithm> create, long stopAt)
    {
        var (x, y) = RefData();
        using var runs = ResumeHarness.Run(() => new Net(), (model, folder) => Make(model, x, y, create(), folder), stopAt, resumedModel: () =>
        {
            manual_seed(1234);
            return new Net();
        });
        runs.Interrupted.Result.StopReason.Should().Be("cancelled");
        return (StateOf(runs.Uninterrupted.Model), StateOf(runs.Resumed.Model), runs.Uninterrupted.Result, runs.Resumed.Result);
    }

    [Fact]
    public void EmaRunResumedFromACheckpointEqualsTheUninterruptedRun()
    {
        var (full, resumed, fullResult, resumedResult) = RunBoth(() => new EmaAlgorithm(new EmaOptions { HalfLife = Duration.Parse("3ba") }), stopAt: 5);
        resumedResult.Timestamp.Batch.Should().Be(12);
        foreach (var (name, w) in full) resumed[name].Should().Equal(w, $"{name} (the EMA weights) must be bit-identical after resume");
        resumedResult.Metrics["loss"].Should().Be(fullResult.Metrics["loss"], "evaluation used the same shadow weights");
    }

    [Fact]
    public void SwaRunResumedFromACheckpointEqualsTheUninterruptedRun()
    {
        // Interrupted after batch 7: averaging (from the end of epoch 2) and the SWA schedule have begun.
        var (full, resumed, fullResult, resumedResult) = RunBoth(() => new SwaAlgorithm(new SwaOptions
        {
            SwaStart = Duration.Parse("0.5dur"), SwaEnd = Duration.Parse("1dur"), ScheduleSwaLr = true, SwaLr = 0.02, AnnealSteps = 1,
        }), stopAt: 7);
        resumedResult.Timestamp.Batch.Should().Be(12);
        foreach (var (name, w) in full) resumed[name].Should().Equal(w, $"{name} (the SWA weights) must be bit-identical after resume");
        resumedResult.Metrics["loss"].Should().Be(fullResult.Metrics["loss"]);
    }
}
