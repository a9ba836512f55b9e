using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace Efficient.Samples.Tests;

/// <summary>
/// The ResNet speed-up study command (a benchmark: hours at its real size) runs here at a tiny size
/// with an ablation, so the command and its files cannot rot.
/// </summary>
public sealed class BenchStudyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bench-study-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void TheStudyWithAnAblationWritesItsTablesAndPlots()
    {
        var output = SampleProcess.RunBench(new[]
        {
            "study", "--seeds", "0", "--recipes", "baseline", "--ablate", "mild", "--baseline-budgets", "1ep", "--budgets", "mild=1ep",
            "--train-limit", "256", "--eval-limit", "128", "--validation", "1000", "--threads", "1", "--output", _dir,
        });
        Directory.GetFiles(_dir).Select(Path.GetFileName).Should().BeEquivalentTo("study.csv", "study.json", "study.md", "study.png", "study.svg");
        var table = File.ReadAllText(Path.Combine(_dir, "study.md"));
        foreach (var recipe in new[] { "| baseline |", "| mild |", "| mild-without-ChannelsLast |", "| mild-without-ProgressiveResizing |", "| mild-without-LabelSmoothing |", "| mild-without-ssr |" })
            table.Should().Contain(recipe);
        output.Should().Contain("ResNet study: 256 training / 128 validation (held out from training) images");
    }
}
