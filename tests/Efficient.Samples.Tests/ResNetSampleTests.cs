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

    [Theory]
    [InlineData("baseline")]
    [InlineData("mild")]
    [InlineData("medium")]
    [InlineData("hot")]
    public void TheShippedRecipeFilesAreTheCSharpRecipes(string name)
    {
        var file = Path.Combine(SampleProcess.RepositoryRoot(), "samples", "ResNet", "recipes", name + ".json");
        var fromFile = Recipes.FromFile(file);
        var code = Recipes.Create(name);
        fromFile.ScaleScheduleRatio.Should().Be(code.ScaleScheduleRatio);
        fromFile.Algorithms.Select(a => a.GetType()).Should().Equal(code.Algorithms.Select(a => a.GetType()));
        var built = Program.Run(Quick("4ba") with { Recipe = name }, TextWriter.Null);
        var loaded = Program.Run(Quick("4ba") with { RecipeFile = file }, TextWriter.Null);
        loaded.Timestamp.Batch.Should().Be(built.Timestamp.Batch);
        // The file's schedule is Composer's closed-form cosine, the C# recipe's TorchSharp's recursive one: equal to rounding.
        foreach (var (metric, value) in built.Metrics) loaded.Metrics[metric].Should().BeApproximately(value, 1e-4, metric);
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
        log.ToString().Should().Contain($"starting fresh, checkpoints go to '{_dir}'").And.Contain("--resume to continue");
        File.ReadAllText(Path.Combine(_dir, "latest")).Should().Be("ep0-ba1");

        var again = () => Program.Run(options, TextWriter.Null);
        again.Should().Throw<InvalidOperationException>().WithMessage("*already holds checkpoints; pass --resume*");
        log = new StringWriter();
        var resumed = Program.Run(options with { Resume = true }, log);
        resumed.Timestamp.Batch.Should().Be(3);
        log.ToString().Should().Contain($"resumed from ep0-ba1 in '{_dir}'");
    }

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
    [InlineData("ResNet")]
    [InlineData("Bert")]
    public void HelpPrintsTheUsageAndExitsZero(string sample)
    {
        var output = SampleProcess.Run(sample, new[] { "--help" });
        output.Should().Contain("Usage:").And.Contain($"{sample} [options]").And.Contain("--max-duration").And.Contain("--checkpoint-dir");
    }

    [Fact]
    public void TensorBoardEventFilesAreWrittenAndReadBack()
    {
        var folder = Path.Combine(_dir, "tb");
        var output = SampleProcess.Run("ResNet", new[] { "--max-duration", "3ba", "--train-limit", "256", "--eval-limit", "100", "--batch-size", "64", "--no-progress", "--threads", "1", "--tensorboard", folder });
        output.Should().Contain("done: reached the maximum duration 3ba");
        var scalars = Efficient.Training.TestSupport.TensorBoardEvents.ReadScalars(folder);
        scalars.Where(s => s.Tag == "train/loss").Select(s => s.Step).Should().Equal(1, 2, 3);
        scalars.Where(s => s.Tag == "train/lr").Should().HaveCount(3);
        scalars.Should().OnlyContain(s => float.IsFinite(s.Value));
    }

    [Fact]
    public void BadOutputPathsFailBeforeAnyDataIsLoadedNamingTheOption()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a folder");
        var log = new StringWriter();
        var model = Path.Combine(file, "model.bin");
        var badModel = () => Program.Run(Quick("2ba") with { SaveModel = model }, log);
        badModel.Should().Throw<IOException>().WithMessage($"--save-model '{model}' cannot be written (*); expected a file path in a folder this process can write.");
        var badFolder = () => Program.Run(Quick("2ba") with { CheckpointDir = file }, log);
        badFolder.Should().Throw<IOException>().WithMessage($"--checkpoint-dir '{file}' cannot be written (*); expected a folder this process can create files in.");
        log.ToString().Should().NotContain("ResNet on Fashion-MNIST", "nothing was loaded or trained");
    }

    [Fact]
    public void AFailureIsOneLineAndExitCodeOneNeverAnUnhandledException()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a folder");
        var (exitCode, stdout, stderr) = SampleProcess.RunExpectingFailure("ResNet", new[] { "--max-duration", "2ba", "--save-model", Path.Combine(file, "m.bin") });
        exitCode.Should().Be(1);
        stderr.Trim().Should().StartWith("ResNet: --save-model").And.NotContain("Unhandled").And.NotContain("   at ");
        stderr.Trim().Split('\n').Should().ContainSingle();
        stdout.Should().BeEmpty();

        (exitCode, _, stderr) = SampleProcess.RunExpectingFailure("ResNet", new[] { "--max-duration", "10tok", "--recipe", "mild", "--train-limit", "64", "--eval-limit", "50", "--batch-size", "32", "--no-progress" });
        exitCode.Should().Be(2, "a bad command line is a usage error");
        stderr.Should().Contain("ResNet: --max-duration must be in ep, ba or sp: the ResNet sample counts no tokens, got '10tok'").And.NotContain("Unhandled");
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
