using System.Collections.Generic;
using System.IO;
using Efficient.Training.TestSupport;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

/// <summary>The event files are read back as TensorBoard reads them (<see cref="TensorBoardEvents"/>, checksums checked).</summary>
public sealed class TensorBoardLoggerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-tb-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void LossLearningRateAndMetricsAreWrittenAsTensorBoardEvents()
    {
        var (x, y) = Data(n: 48);
        using var model = new Mlp();
        var options = Options(model, x, y, batchSize: 16, max: "2ep");
        var losses = new List<double>();
        options.Callbacks.Add(new TensorBoardLogger(_folder));
        options.Callbacks.Add(new LossRecorder(losses));
        var trainer = new Trainer(options);
        var result = trainer.Fit();

        var scalars = TensorBoardEvents.ReadScalars(_folder);
        scalars.Where(s => s.Tag == "train/loss").Select(s => s.Step).Should().Equal(1, 2, 3, 4, 5, 6);
        scalars.Where(s => s.Tag == "train/loss").Select(s => (double)s.Value).Should().Equal(losses, (a, b) => Math.Abs(a - b) < 1e-6);
        scalars.Where(s => s.Tag == "train/lr").Should().HaveCount(6).And.OnlyContain(s => Math.Abs(s.Value - 0.1f) < 1e-7);
        var accuracy = scalars.Where(s => s.Tag == "eval/accuracy").ToList();
        accuracy.Select(s => s.Step).Should().Equal(new long[] { 3, 6 }, "evaluated at the end of each epoch");
        ((double)accuracy[^1].Value).Should().BeApproximately(result.Metrics["accuracy"], 1e-6);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        FluentActions.Invoking(() => new TensorBoardLogger(_folder, every: 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("TensorBoardLogger: write the scalars every 1 or more batches.*");
        FluentActions.Invoking(() => new TensorBoardLogger("")).Should().Throw<ArgumentException>();
    }

    private sealed class LossRecorder(List<double> losses) : ITrainingCallback
    {
        public void OnEvent(TrainingEvent e, TrainingState state)
        {
            if (e == TrainingEvent.BatchEnd) losses.Add(state.LastBatchLoss!.Value);
        }
    }
}
