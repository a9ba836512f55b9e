using System.Collections.Generic;
using System.IO;
using System.Threading;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

public class TrainerTests
{
    private sealed class Recorder : ITrainingCallback
    {
        public List<TrainingEvent> Events { get; } = new();
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state) => Events.Add(trainingEvent);
    }

    [Fact]
    public void EventsFollowTheDocumentedLoopIncludingMicrobatches()
    {
        var (x, y) = Data(n: 32);
        using var model = new Mlp();
        var recorder = new Recorder();
        var options = Options(model, x, y, batchSize: 16, max: "1ep");
        options.Microbatches = 2;
        options.Callbacks.Add(recorder);
        new Trainer(options).Fit();

        var micro = new[] { TrainingEvent.BeforeForward, TrainingEvent.AfterForward, TrainingEvent.BeforeLoss, TrainingEvent.AfterLoss, TrainingEvent.BeforeBackward, TrainingEvent.AfterBackward };
        var batch = new[] { TrainingEvent.BatchStart }.Concat(micro).Concat(micro)
            .Concat(new[] { TrainingEvent.BeforeOptimizerStep, TrainingEvent.AfterOptimizerStep, TrainingEvent.BatchEnd }).ToArray();
        var eval = new[] { TrainingEvent.EvalStart, TrainingEvent.EvalBatchStart, TrainingEvent.EvalBatchEnd, TrainingEvent.EvalEnd };
        var expected = new[] { TrainingEvent.Init, TrainingEvent.FitStart, TrainingEvent.EpochStart }
            .Concat(batch).Concat(batch)
            .Concat(new[] { TrainingEvent.EpochEnd }).Concat(eval)
            .Concat(new[] { TrainingEvent.FitEnd });
        recorder.Events.Should().Equal(expected);
    }

    private sealed class Nesting : IRegularizationAlgorithm, ILossAlgorithm, IOptimizationAlgorithm, IDataAlgorithm
    {
        private readonly List<string> _log;
        public Nesting(string name, List<string> log) => (Name, _log) = (name, log);
        public string Name { get; }

        public Batch Transform(Batch batch, TrainingState state)
        {
            _log.Add($"{Name}.data");
            return batch;
        }

        public Tensor Forward(MicrobatchContext context, Func<Tensor> next)
        {
            _log.Add($"{Name}.forward.before");
            var r = next();
            _log.Add($"{Name}.forward.after");
            return r;
        }

        public Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> next)
        {
            _log.Add($"{Name}.loss.before");
            var r = next(outputs, target);
            _log.Add($"{Name}.loss.after");
            return r;
        }

        public void Step(StepContext context, Action next)
        {
            _log.Add($"{Name}.step.before");
            next();
            _log.Add($"{Name}.step.after");
        }
    }

    [Fact]
    public void HooksNestInRegistrationOrderAndAreTraced()
    {
        var (x, y) = Data(n: 16);
        using var model = new Mlp();
        var log = new List<string>();
        var options = Options(model, x, y, batchSize: 16, max: "1ba");
        options.EvalData = null;
        options.Algorithms.Add(new Nesting("A", log));
        options.Algorithms.Add(new Nesting("B", log));
        var trainer = new Trainer(options);
        trainer.Fit();
        log.Should().Equal(
            "A.data", "B.data",
            "A.forward.before", "B.forward.before", "B.forward.after", "A.forward.after",
            "A.loss.before", "B.loss.before", "B.loss.after", "A.loss.after",
            "A.step.before", "B.step.before", "B.step.after", "A.step.after");
        trainer.Trace.Entries.Select(e => (e.Algorithm, e.Stage, e.Calls)).Should().Contain(new[]
        {
            ("A", "Data.Transform", 1L), ("B", "Regularization.Forward", 1L), ("A", "Optimization.Step", 1L),
        });
        trainer.DescribeLoop().Should().Contain("Regularization.Forward (each microbatch, outermost first): A -> B");
    }

    private sealed class GradCapture : IOptimizationAlgorithm
    {
        public string Name => "GradCapture";
        public Dictionary<string, float[]> Grads { get; } = new();

        public void Step(StepContext context, Action next)
        {
            foreach (var (n, p) in context.State.Model.named_parameters()) Grads[n] = p.grad!.data<float>().ToArray();
            next();
        }
    }

    [Fact]
    public void GradientAccumulationGivesTheGradientOfTheWholeBatch()
    {
        Dictionary<string, float[]> Run(int microbatches)
        {
            var (x, y) = Data(n: 24);
            manual_seed(1);
            using var model = new Mlp();
            var capture = new GradCapture();
            var options = Options(model, x, y, batchSize: 24, max: "1ba");
            options.EvalData = null;
            options.Microbatches = microbatches;
            options.Algorithms.Add(capture);
            new Trainer(options).Fit();
            return capture.Grads;
        }

        var whole = Run(1);
        var accumulated = Run(5); // uneven: 5, 5, 5, 5, 4 samples
        foreach (var (name, g) in whole)
            accumulated[name].Should().BeEquivalentTo(g, o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6f)).WhenTypeIs<float>(), name);
    }

    [Fact]
    public void ScaleScheduleRatioShortensTheRunAndCompressesSchedules()
    {
        var (x, y) = Data(n: 64);
        using var model = new Mlp();
        var lrs = new LearningRateMonitor();
        var options = Options(model, x, y, batchSize: 16, max: "4ep"); // 16 batches
        options.ScaleScheduleRatio = 0.5;
        options.EvalData = null;
        options.Callbacks.Add(lrs);
        options.Schedulers = (opt, state) => new[] { optim.lr_scheduler.LinearLR(opt, 1.0, 0.0, total_iters: (int)(state.MaxDuration.Count * state.BatchesPerEpoch!.Value)) };
        var result = new Trainer(options).Fit();
        result.Timestamp.Batch.Should().Be(8);
        result.Timestamp.Epoch.Should().Be(2);
        lrs.History.Should().HaveCount(8);
        lrs.History[^1].rates[0].Should().BeApproximately(0.0, 1e-12, "the schedule ends with the shortened run");
        lrs.History[3].rates[0].Should().BeApproximately(0.1 * 4 / 8, 1e-12);
    }

    [Fact]
    public void StopsAtThresholdAndRecordsTheTime()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var options = Options(model, x, y, batchSize: 16, max: "50ep");
        options.EvalInterval = Duration.Parse("2ba");
        options.StopAtThreshold = ("accuracy", 0.7);
        var result = new Trainer(options).Fit();
        result.StopReason.Should().StartWith("accuracy reached");
        result.Metrics["accuracy"].Should().BeGreaterOrEqualTo(0.7);
        result.TimeToThreshold.Should().NotBeNull();
        result.TimeToThreshold!.Value.Should().BeGreaterThan(TimeSpan.Zero);
        result.Timestamp.Batch.Should().BeLessThan(50 * 6);
        (result.Timestamp.Batch % 2).Should().Be(0);
    }

    private sealed class NaNAt : ILossAlgorithm
    {
        public string Name => "NaNAt";
        public Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> next)
        {
            var loss = next(outputs, target);
            return context.State.Timestamp.Batch == 3 ? loss * double.NaN : loss;
        }
    }

    [Fact]
    public void NaNMonitorStopsWithTheStepAndLastFiniteLoss()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var monitor = new NaNMonitor();
        var options = Options(model, x, y, batchSize: 16, max: "3ep");
        options.Algorithms.Add(new NaNAt());
        options.Callbacks.Add(monitor);
        var result = new Trainer(options).Fit();
        result.Timestamp.Batch.Should().Be(4);
        result.StopReason.Should().MatchRegex(@"^NaNMonitor: the loss became NaN at batch 4 \(epoch 0\); the last finite loss was \d\.\d+\. Lower the learning rate, clip gradients or check the data\.$");
    }

    [Fact]
    public void CancellationStopsBetweenBatches()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        using var cts = new CancellationTokenSource();
        var options = Options(model, x, y, batchSize: 16, max: "3ep");
        options.Callbacks.Add(new StopAfter(2, cts));
        var result = new Trainer(options).Fit(cts.Token);
        result.StopReason.Should().Be("cancelled");
        result.Timestamp.Batch.Should().Be(2);
    }

    private sealed class StopAfter : ITrainingCallback
    {
        private readonly int _batches;
        private readonly CancellationTokenSource _cts;
        public StopAfter(int batches, CancellationTokenSource cts) => (_batches, _cts) = (batches, cts);
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd && state.Timestamp.Batch == _batches) _cts.Cancel();
        }
    }

    [Fact]
    public void InvalidOptionsListEveryFailureWordForWord()
    {
        var options = new TrainerOptions
        {
            MaxDuration = Duration.Parse("0.5dur"),
            ScaleScheduleRatio = 0,
            Microbatches = 0,
            Checkpoint = new CheckpointOptions { Folder = "", KeepLast = 0 },
        };
        var act = () => new Trainer(options);
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "TrainerOptions is invalid: " +
            "Property Model: null is invalid; expected a value (not null). " +
            "Property Optimizer: null is invalid; expected a value (not null). " +
            "Property TrainData: null is invalid; expected a value (not null). " +
            "Property MaxDuration: 0.5dur is invalid; expected a positive duration in ep, ba, sp or tok. " +
            "Property ScaleScheduleRatio: 0 is invalid; expected a value in (0, 10]. " +
            "Property Microbatches: 0 is invalid; expected a value in [1, 1024]. " +
            "Property Checkpoint.Folder: '' is invalid; expected a folder path. " +
            "Property Checkpoint.KeepLast: 0 is invalid; expected a value >= 1.")
            .Which.Failures.Should().HaveCount(8);
    }

    [Fact]
    public void Bf16AutocastTrainsWithFloat32Weights()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var seen = new List<ScalarType>();
        var options = Options(model, x, y, batchSize: 16, max: "4ep");
        options.Precision = Precision.Bf16Autocast;
        options.Callbacks.Add(new OutputDtype(seen));
        var result = new Trainer(options).Fit();
        seen.Should().OnlyContain(t => t == ScalarType.BFloat16);
        model.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float32);
        result.Metrics["accuracy"].Should().BeGreaterThan(0.5);
    }

    private sealed class OutputDtype : ITrainingCallback
    {
        private readonly List<ScalarType> _seen;
        public OutputDtype(List<ScalarType> seen) => _seen = seen;
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.AfterForward) _seen.Add(state.Outputs!.dtype);
        }
    }
}
