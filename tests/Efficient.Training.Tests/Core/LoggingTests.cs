using System.Collections.Generic;
using System.IO;
using Efficient.Training.Algorithms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

/// <summary>What the Trainer says goes through <c>Microsoft.Extensions.Logging</c>.</summary>
public sealed class LoggingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-log-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void TheTrainerLogsSurgeryResumeCheckpointsAndTheEnd()
    {
        var (x, y) = Data(n: 48);
        using var model = new Mlp();
        var logger = new ListLogger();
        var options = Options(model, x, y, max: "2ba");
        options.Logger = logger;
        options.Checkpoint = new CheckpointOptions { Folder = _folder, Interval = Duration.Batches(1) };
        options.Algorithms.Add(new GatedLinearUnitsAlgorithm());
        new Trainer(options).Fit();

        logger.Lines.Should().ContainInOrder(
            "Information 4: Checkpoints: no checkpoint in '" + _folder + "': starting fresh",
            "Information 6: Checkpoint saved: " + Path.Combine(_folder, "ep0-ba1"),
            "Information 6: Checkpoint saved: " + Path.Combine(_folder, "ep0-ba2"),
            "Information 5: Fit ended at ep0-ba2: reached the maximum duration 2ba");
        logger.Lines.Should().Contain(l => l.StartsWith("Information 3: Model surgery: GatedLinearUnits: replaced", StringComparison.Ordinal));
        logger.Lines.Should().Contain(l => l.StartsWith("Debug 2: Convolution check skipped", StringComparison.Ordinal), "the MLP has no convolution");
    }

    [Fact]
    public void TheBottleneckProfilerLogsItsReportWhenFitEnds()
    {
        var (x, y) = Data(n: 48);
        using var model = new Mlp();
        var logger = new ListLogger();
        var profiler = new BottleneckProfiler(logger);
        var options = Options(model, x, y, max: "2ba");
        options.Callbacks.Add(profiler);
        new Trainer(options).Fit();
        logger.Lines.Should().ContainSingle().Which.Should().Be("Information 8: Bottleneck profile: " + profiler.Report());
    }

    [Fact]
    public void WithAHostTheTrainerLogsThroughItsLoggerFactory()
    {
        var (x, y) = Data(n: 48);
        using var model = new Mlp();
        var logger = new ListLogger();
        using var provider = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(new SingleLoggerFactory(logger))
            .AddEfficientTraining(configureTrainer: o =>
            {
                o.Model = model;
                o.Optimizer = p => optim.SGD(p, 0.1);
                o.TrainData = new TensorTrainingData(x, y, 16);
                o.MaxDuration = Duration.Batches(1);
            })
            .BuildServiceProvider();
        provider.GetRequiredService<Trainer>().Fit();
        logger.Lines.Should().Contain("Information 5: Fit ended at ep0-ba1: reached the maximum duration 1ba");
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel} {eventId.Id}: {formatter(state, exception)}");
    }

    private sealed class SingleLoggerFactory : ILoggerFactory
    {
        private readonly ILogger _logger;

        public SingleLoggerFactory(ILogger logger) => _logger = logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => _logger;

        public void Dispose()
        {
        }
    }
}
