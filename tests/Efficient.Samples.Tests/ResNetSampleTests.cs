using System;
using System.IO;
using System.Linq;
using System.Threading;
using FluentAssertions;
using ResNetSample;
using Xunit;

namespace Efficient.Samples.Tests;

public sealed class ResNetSampleTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "resnet-sample-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static SampleOptions Quick(string max) => Program.Parse(new[] { "--max-duration", max, "--train-limit", "256", "--eval-limit", "200", "--batch-size", "64", "--no-progress", "--threads", "1" });

    [Fact]
    public void TrainsTwoBatchesOnFashionMnistAndReports()
    {
        var log = new StringWriter();
        var result = Program.Run(Quick("2ba"), log);
        result.Timestamp.Batch.Should().Be(2);
        result.Metrics["accuracy"].Should().BeInRange(0, 1);
        log.ToString().Should().Contain("done: reached the maximum duration 2ba; 2 batches, accuracy");
    }

    [Theory]
    [InlineData("mild")]
    [InlineData("medium")]
    [InlineData("hot")]
    public void RecipesTrainTwoBatches(string recipe)
    {
        var log = new StringWriter();
        var result = Program.Run(Quick("4ba") with { Recipe = recipe }, log);
        var ratio = Recipes.Create(recipe).ScaleScheduleRatio;
        result.Timestamp.Batch.Should().Be((long)Math.Ceiling(4 * ratio), "the scale-schedule ratio shortens the run, rounded up");
        log.ToString().Should().Contain($"recipe {recipe}");
    }

    [Fact]
    public void CancellationSavesACheckpointAndResumeContinues()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel(); // as Ctrl+C does: stop after the first batch
        var options = Quick("3ba") with { CheckpointDir = _dir };
        var log = new StringWriter();
        var stopped = Program.Run(options, log, cts.Token);
        stopped.StopReason.Should().Be("cancelled");
        log.ToString().Should().Contain("--resume to continue");
        File.ReadAllText(Path.Combine(_dir, "latest")).Should().Be("ep0-ba1");

        var again = () => Program.Run(options, TextWriter.Null);
        again.Should().Throw<InvalidOperationException>().WithMessage("*already holds checkpoints; pass --resume*");
        var resumed = Program.Run(options with { Resume = true }, TextWriter.Null);
        resumed.Timestamp.Batch.Should().Be(3);
    }

    // Library bug on TorchSharp 0.107 (reported to the lead): after ChannelsLast (in every recipe but the baseline)
    // the 4-D weights are not contiguous, and TorchSharp's Module.save/Tensor.Save refuse them
    // ("Bytes() called on non-contiguous tensor") in Checkpointer.Save and in the sample's --save-model.
    [Fact]
    public void ACheckpointWithSurgeryActiveResumesInAFreshProcessAndContinuesIdentically()
    {
        // The hot recipe changes the model (BlurPool, stochastic depth) and keeps algorithm state
        // (EMA shadow weights, MixUp/SAM randomness): stop after 2 of 4 batches in one process,
        // resume in another, and compare with an uninterrupted run.
        var common = new[] { "--recipe", "hot", "--max-duration", "4ba", "--train-limit", "256", "--eval-limit", "100", "--batch-size", "64", "--no-progress", "--threads", "1" };
        var checkpoints = Path.Combine(_dir, "checkpoints");
        var first = SampleProcess.Run("ResNet", common.Concat(new[] { "--checkpoint-dir", checkpoints, "--stop-after", "2" }).ToArray());
        first.Should().Contain("done: cancelled; 2 batches").And.Contain("BlurPool: replaced");
        File.ReadAllText(Path.Combine(checkpoints, "latest")).Should().Be("ep0-ba2");
        var resumedModel = Path.Combine(_dir, "resumed.bin");
        SampleProcess.Run("ResNet", common.Concat(new[] { "--checkpoint-dir", checkpoints, "--resume", "--save-model", resumedModel }).ToArray())
            .Should().Contain("done: reached the maximum duration 3ba; 3 batches", "4ba × the hot recipe's ratio 0.7, rounded up");
        var straightModel = Path.Combine(_dir, "straight.bin");
        SampleProcess.Run("ResNet", common.Concat(new[] { "--save-model", straightModel }).ToArray());
        File.ReadAllBytes(resumedModel).Should().Equal(File.ReadAllBytes(straightModel), "the resumed run ends with the uninterrupted run's weights, bit for bit");
    }

    [Theory]
    [InlineData(new[] { "--recipe", "nope" }, "unknown recipe 'nope'; available: baseline, mild, medium, hot")]
    [InlineData(new[] { "--max-duration", "0.5dur" }, "--max-duration must be a positive duration like 2ep, 300ba or 1e5sp, got '0.5dur'")]
    [InlineData(new[] { "--resume" }, "--resume needs --checkpoint-dir")]
    [InlineData(new[] { "--batch-size", "0" }, "--batch-size must be a positive integer, got '0'")]
    public void RejectsBadOptions(string[] args, string message)
    {
        var act = () => Program.Parse(args);
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }
}
