using System;
using System.IO;
using ExistingLoop;
using FluentAssertions;
using Xunit;

namespace Efficient.Samples.Tests;

public sealed class ExistingLoopSampleTests
{
    // Two batches of 32 images, 100 evaluation images, one thread (so runs are bit-for-bit repeatable).
    private static LoopOptions Quick(string techniques) => Program.Parse(new[] { "--techniques", techniques, "--train-limit", "64", "--batch-size", "32", "--eval-limit", "100", "--threads", "1", "--seed", "7" });

    private static readonly Lazy<LoopResult> Plain = new(() => Program.Run(Quick("none"), TextWriter.Null));

    [Theory]
    [InlineData("none", "none")]
    [InlineData("all", "mixup,label-smoothing,ema,progressive-resizing,sam")]
    public void TrainsTwoBatchesAndReports(string techniques, string described)
    {
        var log = new StringWriter();
        var result = Program.Run(Quick(techniques), log);
        result.Batches.Should().Be(2);
        result.Accuracy.Should().BeInRange(0, 1);
        double.IsFinite(result.EvalLoss).Should().BeTrue();
        double.IsFinite(result.TrainLoss).Should().BeTrue();
        double.IsFinite(result.WeightNorm).Should().BeTrue("the evaluated weights must be finite");
        result.WeightNorm.Should().BePositive();
        log.ToString().Should().Contain($"techniques {described}, 64 training images")
            .And.Contain($"done: techniques {described}; 2 batches, accuracy");
    }

    [Fact]
    public void RunsAsAProgram()
    {
        var output = SampleProcess.Run("ExistingLoop", new[] { "--techniques", "label-smoothing,sam", "--train-limit", "64", "--batch-size", "32", "--eval-limit", "100", "--threads", "1" });
        output.Should().Contain("epoch 1: train loss").And.Contain("done: techniques label-smoothing,sam; 2 batches, accuracy");
    }

    [Fact]
    public void TheSameSeedGivesTheSameResult()
    {
        var again = Program.Run(Quick("none"), TextWriter.Null);
        (again.EvalLoss, again.TrainLoss, again.WeightNorm).Should().Be((Plain.Value.EvalLoss, Plain.Value.TrainLoss, Plain.Value.WeightNorm),
            "otherwise the differences below would prove nothing");
    }

    [Theory]
    [InlineData("mixup")]
    [InlineData("label-smoothing")]
    [InlineData("progressive-resizing")]
    [InlineData("sam")]
    public void EachTrainingTechniqueAloneChangesTraining(string technique)
    {
        var result = Program.Run(Quick(technique), TextWriter.Null);
        result.Batches.Should().Be(2);
        result.TrainLoss.Should().NotBe(Plain.Value.TrainLoss, $"{technique} changes what the loop trains on or how it steps");
        result.EvalLoss.Should().NotBe(Plain.Value.EvalLoss);
    }

    [Fact]
    public void EmaAloneLeavesTrainingAloneAndChangesTheEvaluatedWeights()
    {
        var result = Program.Run(Quick("ema"), TextWriter.Null);
        result.TrainLoss.Should().Be(Plain.Value.TrainLoss, "EMA only averages the weights after each step");
        result.WeightNorm.Should().NotBe(Plain.Value.WeightNorm, "the evaluation uses the averaged weights");
        result.EvalLoss.Should().NotBe(Plain.Value.EvalLoss);
    }

    [Fact]
    public void AMissingDataFolderIsReportedInOneLineWithExitCodeOne()
    {
        var err = new StringWriter();
        var previous = Console.Error;
        Console.SetError(err);
        try
        {
            Program.Main(new[] { "--data", "/nonexistent/fashion-mnist" }).Should().Be(1);
        }
        finally
        {
            Console.SetError(previous);
        }
        err.ToString().TrimEnd().Should().NotContain("\n").And.StartWith("ExistingLoop: Fashion-MNIST file '/nonexistent/fashion-mnist/train-images-idx3-ubyte.gz' is missing");
    }

    [Fact]
    public void TheLoopTrainsItsOwnTorchSharpModule()
    {
        using var model = new SmallConvNet(classes: 10);
        using var output = model.call(TorchSharp.torch.zeros(2, 1, 14, 14));
        output.shape.Should().Equal(2, 10);
        model.parameters().Should().HaveCount(3 * 3 + 2, "three conv weights, three BatchNorm weight/bias pairs and the classifier's weight and bias");
    }

    [Theory]
    [InlineData("ema,sam", Techniques.Ema | Techniques.Sam)]
    [InlineData("mixup, label-smoothing", Techniques.MixUp | Techniques.LabelSmoothing)]
    [InlineData("all", Techniques.All)]
    [InlineData("none", Techniques.None)]
    public void ParsesTechniqueLists(string list, Techniques expected) =>
        Program.Parse(new[] { "--techniques", list }).Techniques.Should().Be(expected);

    [Theory]
    [InlineData(new[] { "--techniques", "mixup,cutmix" }, "unknown technique 'cutmix' in --techniques; expected none, all, or a comma list of mixup, label-smoothing, ema, progressive-resizing, sam")]
    [InlineData(new[] { "--techniques", "" }, "unknown technique '' in --techniques; expected none, all, or a comma list of mixup, label-smoothing, ema, progressive-resizing, sam")]
    [InlineData(new[] { "--epochs", "0" }, "--epochs must be a positive integer, got '0'")]
    [InlineData(new[] { "--batch-size", "-1" }, "--batch-size must be a positive integer, got '-1'")]
    [InlineData(new[] { "--seed", "x" }, "--seed must be an integer, got 'x'")]
    [InlineData(new[] { "--threads" }, "option --threads needs a value")]
    [InlineData(new[] { "--recipe", "hot" }, "unknown option '--recipe'")]
    [InlineData(new[] { "--train-limit", "100", "--batch-size", "128" }, "--train-limit (100) must be at least --batch-size (128): the loop drops incomplete batches")]
    public void RejectsBadOptions(string[] args, string message)
    {
        var act = () => Program.Parse(args);
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }
}
