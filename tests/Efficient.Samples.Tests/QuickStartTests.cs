using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using QuickStart;
using Xunit;

namespace Efficient.Samples.Tests;

public class QuickStartTests
{
    [Fact]
    public void TheLoopAndTheTrainerBothImproveOnTheUntrainedNetwork()
    {
        var log = new StringWriter();
        var result = Program.Train(epochs: 3, seed: 0, log);
        result.LastLoss.Should().BeLessThan(result.FirstLoss * 0.8f);
        result.LoopAccuracy.Should().BeGreaterThan(result.InitialAccuracy + 0.2);
        result.TrainerAccuracy.Should().BeGreaterThan(result.InitialAccuracy + 0.2);
        log.ToString().Should().Contain("loop    test accuracy").And.Contain("trainer 48 batches with label smoothing and EMA").And.Contain("libtorch 2.10");
    }

    [Fact]
    public void IsDeterministicForASeed()
    {
        var a = Program.Train(epochs: 1, seed: 7, TextWriter.Null);
        var b = Program.Train(epochs: 1, seed: 7, TextWriter.Null);
        a.Should().Be(b);
    }

    [Fact]
    public void TheModelIsAPlainTorchSharpModuleWithRegisteredParameters()
    {
        using var model = new TwoLayerNet(16, 64, 4);
        model.Should().BeAssignableTo<TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>>();
        model.named_parameters().Select(p => p.name).Should().Equal("hidden.weight", "hidden.bias", "output.weight", "output.bias");
    }

    [Fact]
    public void RunsAsAProgram()
    {
        var output = SampleProcess.Run("QuickStart", new[] { "--epochs", "2" });
        output.Should().Contain("loop    epoch 2: train loss").And.Contain("trainer 32 batches");
    }

    [Theory]
    [InlineData(new[] { "--epochs", "0" }, "--epochs must be a positive integer, got '0'")]
    [InlineData(new[] { "--epochs" }, "option --epochs needs a value")]
    [InlineData(new[] { "--seed", "1.5" }, "--seed must be an integer, got '1.5'")]
    [InlineData(new[] { "--bogus" }, "unknown option '--bogus'")]
    public void RejectsBadOptions(string[] args, string message)
    {
        var err = new StringWriter();
        var previous = Console.Error;
        Console.SetError(err);
        try
        {
            Program.Main(args).Should().Be(2);
        }
        finally
        {
            Console.SetError(previous);
        }
        err.ToString().Should().Contain(message);
    }
}
