using System;
using System.IO;
using FluentAssertions;
using Xunit;

namespace Efficient.Samples.Tests;

public class QuickStartTests
{
    [Fact]
    public void TrainsAndImproves()
    {
        var log = new StringWriter();
        var result = QuickStart.Program.Train(steps: 60, seed: 0, log);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss * 0.8f);
        result.FinalAccuracy.Should().BeGreaterThan(result.InitialAccuracy);
        log.ToString().Should().Contain("accuracy");
    }

    [Fact]
    public void IsDeterministicForASeed()
    {
        var a = QuickStart.Program.Train(steps: 5, seed: 7, TextWriter.Null);
        var b = QuickStart.Program.Train(steps: 5, seed: 7, TextWriter.Null);
        a.Should().Be(b);
    }

    [Theory]
    [InlineData(new[] { "--steps", "0" }, "--steps must be a positive integer")]
    [InlineData(new[] { "--steps" }, "option --steps needs a value")]
    [InlineData(new[] { "--bogus" }, "unknown option '--bogus'")]
    public void RejectsBadOptions(string[] args, string message)
    {
        var err = new StringWriter();
        var previous = Console.Error;
        Console.SetError(err);
        try
        {
            QuickStart.Program.Main(args).Should().Be(2);
        }
        finally
        {
            Console.SetError(previous);
        }
        err.ToString().Should().Contain(message);
    }
}
