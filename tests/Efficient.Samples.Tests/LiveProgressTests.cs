using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Efficient.Samples;
using Efficient.Training;
using FluentAssertions;
using Spectre.Console.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Efficient.Samples.Tests;

/// <summary>The samples' live display, rendered on Spectre.Console's test console (a terminal of its own).</summary>
public sealed class LiveProgressTests
{
    [Fact]
    public void TheLiveDisplayShowsProgressAndEndsWithAMetricsTable()
    {
        var console = new TestConsole().Interactive().Width(120);
        LiveProgress.Supported(console).Should().Be(!Console.IsOutputRedirected, "the test console is interactive; the process's own output decides the rest");

        manual_seed(1);
        using var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        var x = randn(32, 4);
        var y = randint(0, 3, new long[] { 32 });
        var progress = new LiveProgress();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, 0.1),
            TrainData = new TensorTrainingData(x, y, 8),
            EvalData = new TensorTrainingData(x, y, 16, shuffle: false),
            MaxDuration = Duration.Epochs(1),
            Callbacks = { progress },
        };
        var trainer = new Trainer(options);
        var result = LiveProgress.Run(console, "test run", progress, () => trainer.Fit(), r => r.Metrics);

        result.Timestamp.Batch.Should().Be(4);
        var output = console.Output;
        output.Should().Contain("ep 1 ba 4").And.Contain("accuracy").And.Contain("100%");
        output.Should().Contain("metric").And.Contain("value");
        output.Should().Contain(result.Metrics["accuracy"].ToString("0.####", System.Globalization.CultureInfo.InvariantCulture));
    }
}
