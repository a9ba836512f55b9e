using System.Collections.Generic;
using System.IO;
using System.Threading;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Optimization.OptimizationReference;

namespace Efficient.Training.Tests.Algorithms.Optimization;

/// <summary>EMA and SWA keep their averages in checkpoints: an interrupted and resumed run equals the uninterrupted one.</summary>
public sealed class AveragingCheckpointTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-avg-ckpt-" + Guid.NewGuid().ToString("N"));

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

    private TrainerOptions Make(Net model, Tensor x, Tensor y, IAlgorithm algorithm, bool checkpoint)
    {
        var options = Options(model, x, y, "4ep");
        options.TrainData = new TensorTrainingData(x, y, 4, shuffle: true, seed: 9);
        options.EvalData = new TensorTrainingData(x, y, 6, shuffle: false);
        options.EvalInterval = Duration.Parse("3ba");
        options.Schedulers = (opt, _) => new[] { optim.lr_scheduler.CosineAnnealingLR(opt, 12) };
        options.Algorithms.Add(algorithm);
        if (checkpoint) options.Checkpoint = new CheckpointOptions { Folder = _folder, Interval = Duration.Parse("2ba"), KeepLast = 2 };
        return options;
    }

    private (Dictionary<string, float[]> full, Dictionary<string, float[]> resumed, FitResult fullResult, FitResult resumedResult) RunBoth(Func<IAlgorithm> create, long stopAt)
    {
        var (x, y) = RefData();
        using var reference = new Net();
        var fullResult = new Trainer(Make(reference, x, y, create(), checkpoint: false)).Fit();

        using var first = new Net();
        using var cts = new CancellationTokenSource();
        var options = Make(first, x, y, create(), checkpoint: true);
        options.Callbacks.Add(new CancelAt(stopAt, cts));
        new Trainer(options).Fit(cts.Token).StopReason.Should().Be("cancelled");

        manual_seed(1234);
        using var second = new Net();
        var resumedResult = new Trainer(Make(second, x, y, create(), checkpoint: true)).Fit();
        return (StateOf(reference), StateOf(second), fullResult, resumedResult);
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
