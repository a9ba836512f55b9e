using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Algorithms.Data;

public sealed class BatchSizeRampUpTests
{
    private sealed class Recorder : ITrainingCallback
    {
        public List<long[]> Batches { get; } = new();
        public List<long?> BatchesPerEpoch { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent != TrainingEvent.BatchStart) return;
            Batches.Add(state.Batch!.Indices!.contiguous().data<long>().ToArray());
            BatchesPerEpoch.Add(state.BatchesPerEpoch);
        }
    }

    /// <summary>Records the learning rate the optimizer steps with (registered after the ramp, so inside its step hook).</summary>
    private sealed class LearningRateProbe : IOptimizationAlgorithm
    {
        public List<double> Rates { get; } = new();
        public string Name => "LearningRateProbe";

        public void Step(StepContext context, Action next)
        {
            Rates.Add(context.State.Optimizer.ParamGroups.First().LearningRate);
            next();
        }
    }

    private static JsonElement Cases()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_data_pipeline.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("ramp").Clone();
    }

    private static Duration ParseDuration(JsonElement pair) =>
        Duration.Parse(pair[0].GetDouble().ToString("R", CultureInfo.InvariantCulture) + pair[1].GetString());

    private static BatchSizeRampUpOptions OptionsOf(JsonElement s) => s.GetProperty("kind").GetString() == "linear"
        ? new BatchSizeRampUpOptions
        {
            StartBatchSize = s.GetProperty("start").GetInt32(),
            FullBatchSize = s.GetProperty("full").GetInt32(),
            Increment = s.GetProperty("increment").GetInt32(),
            RampDuration = ParseDuration(s.GetProperty("ramp")),
        }
        : new BatchSizeRampUpOptions
        {
            Schedule = BatchSizeSchedule.Milestones,
            StartBatchSize = s.GetProperty("start").GetInt32(),
            GrowthFactor = s.GetProperty("factor").GetDouble(),
            FullBatchSize = s.TryGetProperty("cap", out var cap) ? cap.GetInt32() : null,
            Milestones = s.GetProperty("milestones").EnumerateArray().Select(ParseDuration).ToArray(),
        };

    // Reference/generate_techniques_data_pipeline.py: Megatron-LM's ramp rule and Smith et al.'s milestone rule on the
    // run's clock, cutting injected epoch orders; integer results, compared exactly.
    [Fact]
    public void PlanMatchesTheReferenceSchedulesOnInjectedOrders()
    {
        foreach (var c in Cases().EnumerateArray())
        {
            var name = c.GetProperty("name").GetString();
            var orders = c.GetProperty("orders").EnumerateArray().Select(o => tensor(o.EnumerateArray().Select(v => v.GetInt64()).ToArray())).ToList();
            Duration? max = c.GetProperty("max").ValueKind == JsonValueKind.Null ? (Duration?)null : ParseDuration(c.GetProperty("max"));
            var plan = BatchSizeRampUp.Plan(orders, OptionsOf(c.GetProperty("schedule")), dataBatchSize: 999, max);
            var expected = c.GetProperty("steps").EnumerateArray().Select(b => b.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToList();
            plan.Should().HaveCount(expected.Count, name);
            for (var i = 0; i < expected.Count; i++) plan[i].Should().Equal(expected[i], $"{name}: step {i}");
        }
    }

    [Theory]
    [InlineData(0, 32)]          // Megatron --rampup-batch-size 32 32 960 to a global batch of 128: 3 increments, one per 320 samples
    [InlineData(319, 32)]
    [InlineData(320, 64)]
    [InlineData(959, 96)]
    [InlineData(960, 128)]       // 960 / 320 = 3 increments: the full size
    [InlineData(961, 128)]
    public void LinearBatchSizeIsMegatronsRampupRule(double consumed, long expected)
        => BatchSizeRampUp.LinearBatchSize(consumed, 960, 32, 128, 32).Should().Be(expected);

    [Fact]
    public void MilestoneBatchSizeGrowsByTheFactorAndStopsAtTheCap()
    {
        BatchSizeRampUp.MilestoneBatchSize(0, 128, 5).Should().Be(128);
        BatchSizeRampUp.MilestoneBatchSize(2, 128, 5).Should().Be(3200);   // Smith et al.: 128 -> 640 -> 3200
        BatchSizeRampUp.MilestoneBatchSize(3, 128, 5, 5120).Should().Be(5120);
        BatchSizeRampUp.MilestoneBatchSize(1, 3, 1.5).Should().Be(5);       // 4.5 rounds half away from zero
        BatchSizeRampUp.LearningRateScale(32, 128, BatchSizeLearningRate.Linear).Should().Be(0.25);
        BatchSizeRampUp.LearningRateScale(32, 128, BatchSizeLearningRate.Fixed).Should().Be(1);
    }

    private static TrainerOptions Run(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int batchSize, string max, params IAlgorithm[] algorithms)
    {
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.1),
            TrainData = new TensorTrainingData(x, y, batchSize, seed: 5),
            MaxDuration = Duration.Parse(max),
            Seed = 7,
        };
        foreach (var a in algorithms) options.Algorithms.Add(a);
        return options;
    }

    [Fact]
    public void InTheTrainerEachStepTrainsOnTheScheduledBatchOfTheEpochsOrder()
    {
        var (x, y) = Images(20, 4);
        using var model = new PoolNet();
        var recorder = new Recorder();
        var ramp = new BatchSizeRampUpOptions { StartBatchSize = 2, Increment = 2, RampDuration = Duration.Parse("1ep") };
        var options = Run(model, x, y, 8, "2ep", new BatchSizeRampUpAlgorithm(ramp));
        options.Callbacks.Add(recorder);
        var result = new Trainer(options).Fit();

        var source = new TensorTrainingData(x, y, 8, seed: 5);
        var orders = Enumerable.Range(0, 2).Select(e => cat(source.GetEpoch(e).Select(b => b.Indices!).ToList(), 0)).ToList();
        var plan = BatchSizeRampUp.Plan(orders, ramp, dataBatchSize: 8);
        recorder.Batches.Should().HaveCount(plan.Count);
        for (var i = 0; i < plan.Count; i++) recorder.Batches[i].Should().Equal(plan[i], $"step {i}");
        // Epoch 0 ramps 2 -> 8 in increments of 2 (3 increments, one per third of an epoch); epoch 1 is at the full size.
        recorder.Batches.Select(b => b.Length).Should().Equal(2, 2, 2, 2, 4, 4, 4, 8, 8, 4);   // 20 samples per epoch; 6 at 0.8ep is cut to the 4 left
        recorder.BatchesPerEpoch.Take(7).Should().OnlyContain(n => n == 7);
        recorder.BatchesPerEpoch.Skip(7).Should().OnlyContain(n => n == 3);
        result.Timestamp.Batch.Should().Be(10);
        result.Timestamp.Sample.Should().Be(40, "an epoch is still every sample once");
    }

    [Fact]
    public void LinearLearningRateScalingFollowsTheBatchSizeAndIsRestoredAfterEachStep()
    {
        var (x, y) = Images(16, 4);
        using var model = new PoolNet();
        var probe = new LearningRateProbe();
        var ramp = new BatchSizeRampUpOptions
        {
            Schedule = BatchSizeSchedule.Milestones,
            Milestones = new[] { Duration.Parse("4ba") },
            GrowthFactor = 2,
            LearningRate = BatchSizeLearningRate.Linear,
        };
        var trainer = new Trainer(Run(model, x, y, 2, "6ba", new BatchSizeRampUpAlgorithm(ramp), probe));
        trainer.Fit();
        // Start = the data's batch size 2 (the reference); from step 4 on the batch is 4 and the rate doubles.
        probe.Rates.Should().HaveCount(6);
        probe.Rates.Take(4).Should().OnlyContain(r => Math.Abs(r - 0.1) < 1e-12);
        probe.Rates.Skip(4).Should().OnlyContain(r => Math.Abs(r - 0.2) < 1e-12);
        trainer.State!.Optimizer.ParamGroups.First().LearningRate.Should().Be(0.1, "the optimizer's own rate is restored");
    }

    [Fact]
    public void FixedLearningRateLeavesTheRateAlone()
    {
        var (x, y) = Images(16, 4);
        using var model = new PoolNet();
        var probe = new LearningRateProbe();
        new Trainer(Run(model, x, y, 4, "4ba", new BatchSizeRampUpAlgorithm(new BatchSizeRampUpOptions { RampDuration = Duration.Parse("8sp") }), probe)).Fit();
        probe.Rates.Should().HaveCount(4).And.OnlyContain(r => r == 0.1);
    }

    [Theory]
    [InlineData(BatchSizeSchedule.Linear, BatchSizeLearningRate.Fixed, 5)]
    [InlineData(BatchSizeSchedule.Linear, BatchSizeLearningRate.Linear, 13)]
    [InlineData(BatchSizeSchedule.Milestones, BatchSizeLearningRate.Linear, 9)]
    public void AResumedRunEqualsTheUninterruptedOne(BatchSizeSchedule schedule, BatchSizeLearningRate rule, long interruptAt)
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        var initial = InitialMlpWeights();

        Mlp Model()
        {
            var model = new Mlp();
            model.load_state_dict(initial);
            return model;
        }

        BatchSizeRampUpOptions Ramp() => schedule == BatchSizeSchedule.Linear
            ? new BatchSizeRampUpOptions { StartBatchSize = 2, Increment = 3, RampDuration = Duration.Parse("0.5dur"), LearningRate = rule }
            : new BatchSizeRampUpOptions { Schedule = schedule, StartBatchSize = 3, Milestones = new[] { Duration.Parse("1ep"), Duration.Parse("20ba") }, LearningRate = rule };

        TrainerOptions Options(Mlp model, string? folder)
        {
            var options = SgdMlpRun(model, x, y, "3ep", new BatchSizeRampUpAlgorithm(Ramp()));
            if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("1ba") };
            return options;
        }

        using var runs = ResumeHarness.Run(Model, Options, interruptAt);
        runs.Interrupted.Result.StopReason.Should().Be("cancelled");
        runs.Resumed.Result.Timestamp.Should().BeEquivalentTo(runs.Uninterrupted.Result.Timestamp, o => o.Excluding(t => t.TotalWallClock));
        var want = Weights(runs.Uninterrupted.Model);
        var got = Weights(runs.Resumed.Model);
        foreach (var (name, w) in want) got[name].Should().Equal(w, $"{name} must be bit-identical after resume");
    }

    [Fact]
    public void TheSameSeedServesTheSameSteps()
    {
        var (x, y) = Images(20, 4);
        List<long[]> Steps()
        {
            using var model = new PoolNet();
            var recorder = new Recorder();
            var options = Run(model, x, y, 8, "2ep", new BatchSizeRampUpAlgorithm(new BatchSizeRampUpOptions { RampDuration = Duration.Parse("30sp") }));
            options.Callbacks.Add(recorder);
            new Trainer(options).Fit();
            return recorder.Batches;
        }

        var a = Steps();
        var b = Steps();
        b.Should().HaveCount(a.Count);
        for (var i = 0; i < a.Count; i++) b[i].Should().Equal(a[i]);
        a.First().Should().HaveCount(1, "the default start is max(1, 8 / 8)");
    }

    private sealed class PlainData(ITrainingData inner) : ITrainingData
    {
        public long? BatchesPerEpoch => inner.BatchesPerEpoch;
        public long? SamplesPerEpoch => inner.SamplesPerEpoch;
        public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0) => inner.GetEpoch(epoch, skipBatches);
    }

    [Fact]
    public void AnUnknownDataBatchSizeNeedsTheExplicitSize()
    {
        var (x, y) = Images(16, 4);
        using var model = new PoolNet();
        var options = Run(model, x, y, 4, "2ba", new BatchSizeRampUpAlgorithm());
        options.TrainData = new PlainData(new TensorTrainingData(x, y, 4));
        var act = () => new Trainer(options).Fit();
        act.Should().Throw<InvalidOperationException>().WithMessage("BatchSizeRampUp: the training data's batch size is not known (only a TensorTrainingData tells it); set BatchSizeRampUpOptions.FullBatchSize.");

        using var other = new PoolNet();
        var explicitSize = Run(other, x, y, 4, "3ba", new BatchSizeRampUpAlgorithm(new BatchSizeRampUpOptions { FullBatchSize = 4, StartBatchSize = 2, RampDuration = Duration.Parse("1ep") }));
        explicitSize.TrainData = new PlainData(new TensorTrainingData(x, y, 4));
        new Trainer(explicitSize).Fit().Timestamp.Sample.Should().Be(6, "a source of batches of 4 re-cut to 2 per step");
    }

    [Fact]
    public void BothTechniquesComeFromARecipeFile()
    {
        var recipe = RecipeFile.Parse("""
            {
              "name": "input-bound",
              "algorithms": [
                { "name": "DataEchoing", "options": { "EchoFactor": 1.5, "Mode": "Example", "ShuffleBufferBatches": 4 } },
                { "name": "BatchSizeRampUp", "options": { "Schedule": "Milestones", "StartBatchSize": 4, "GrowthFactor": 5,
                                                          "Milestones": [ "2ep", "0.5dur" ], "LearningRate": "Linear" } }
              ]
            }
            """);
        var algorithms = recipe.CreateAlgorithms();
        algorithms.Select(a => a.Name).Should().Equal("DataEchoing", "BatchSizeRampUp");
        var (x, y) = Images(16, 4);
        using var model = new PoolNet();
        var options = Run(model, x, y, 4, "2ep");
        recipe.ApplyTo(options);
        // The echoed source does not tell its batch size: the ramp uses the explicit StartBatchSize.
        new Trainer(options).Fit().Timestamp.Epoch.Should().Be(2);
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new BatchSizeRampUpOptions().Validate();
        var act = () => new BatchSizeRampUpAlgorithm(new BatchSizeRampUpOptions
        {
            StartBatchSize = 0,
            FullBatchSize = 0,
            Increment = 0,
            RampDuration = Duration.Parse("100tok"),
            GrowthFactor = 1,
            LearningRate = (BatchSizeLearningRate)5,
        });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "BatchSizeRampUpOptions is invalid: Property StartBatchSize: 0 is invalid; expected null or an integer >= 1. " +
            "Property FullBatchSize: 0 is invalid; expected null or an integer >= 1. " +
            "Property Increment: 0 is invalid; expected null or an integer >= 1. " +
            "Property RampDuration: 100tok is invalid; expected a duration > 0 in sp, ba, ep or dur (<= 1dur). " +
            "Property GrowthFactor: 1 is invalid; expected a value in (1, 1024]. " +
            "Property LearningRate: 5 is invalid; expected Fixed or Linear.");
        var milestones = () => new BatchSizeRampUpOptions { Schedule = BatchSizeSchedule.Milestones, StartBatchSize = 8, FullBatchSize = 4 }.Validate();
        milestones.Should().Throw<OptionsValidationException>().WithMessage(
            "BatchSizeRampUpOptions is invalid: Property StartBatchSize: 8 is invalid; expected a value <= FullBatchSize (4). " +
            "Property Milestones: an empty array is invalid; expected at least one milestone for the Milestones schedule.");
        using var order = arange(8, dtype: ScalarType.Int32);
        var wrongOrder = () => BatchSizeRampUp.Plan(new[] { order }, new BatchSizeRampUpOptions { RampDuration = "8sp" }, 4);
        wrongOrder.Should().Throw<ArgumentException>().WithMessage("The order of epoch 0 must be an int64 tensor of shape [n] (got Int32 [8]).*");
        var noSize = () => BatchSizeRampUp.Plan(Array.Empty<Tensor>(), new BatchSizeRampUpOptions(), 0);
        noSize.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The data's batch size must be >= 1 (the default full size of a linear ramp and start size of milestones).*");
        var durWithoutMax = () => BatchSizeRampUp.Plan(Array.Empty<Tensor>(), new BatchSizeRampUpOptions(), 4);
        durWithoutMax.Should().Throw<ArgumentException>().WithMessage("BatchSizeRampUp: a duration in 'dur' needs the run's maximum duration in ep, ba or sp (got none).*");
        var bad = () => new BatchSizeRampUpOptions { Schedule = BatchSizeSchedule.Milestones, Milestones = new[] { Duration.Parse("2ep"), Duration.Batches(0) } }.Validate();
        bad.Should().Throw<OptionsValidationException>().WithMessage(
            "BatchSizeRampUpOptions is invalid: Property Milestones: [2ep, 0ba] is invalid; expected durations > 0 in sp, ba, ep or dur (<= 1dur).");
    }
}
