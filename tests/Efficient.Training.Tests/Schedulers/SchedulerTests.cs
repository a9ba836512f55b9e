using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Efficient.Training.Optimizers;
using Efficient.Training.Schedulers;
using Efficient.Training.Tests.Core;
using Efficient.Training.Tests.Optimizers;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Schedulers;

public sealed class SchedulerTests
{
    private static JsonElement Case(string name) =>
        OptimizerReference.Root.GetProperty("schedulers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static Duration D(JsonElement p, string name) => Duration.Parse(p.GetProperty(name).GetString()!);

    private static Duration? OptionalD(JsonElement p, string name) => p.TryGetProperty(name, out var v) ? (Duration?)Duration.Parse(v.GetString()!) : null;

    /// <summary>The schedule of a reference case, built from its Composer-named parameters.</summary>
    private static ComposerScheduler Create(JsonElement c)
    {
        var p = c.GetProperty("params");
        var warmup = OptionalD(p, "t_warmup");
        var scale = p.Flag("scale_warmup", false);
        return c.GetProperty("kind").GetString() switch
        {
            "constant" => new ConstantScheduler(p.Option("alpha", 1.0), OptionalD(p, "t_max"), warmup, scale),
            "linear" => new LinearScheduler(p.Option("alpha_i", 1.0), p.Option("alpha_f", 0.0), OptionalD(p, "t_max"), warmup, scale),
            "cosine" => new CosineAnnealingScheduler(OptionalD(p, "t_max"), p.Option("alpha_f", 0.0), warmup, scale),
            "warm_restarts" => new CosineAnnealingWarmRestartsScheduler(D(p, "t_0"), p.Option("t_mult", 1.0), p.Option("alpha_f", 0.0), warmup, scale),
            "step" => new StepScheduler(D(p, "step_size"), p.Option("gamma", 0.1), warmup, scale),
            "multistep" => new MultiStepScheduler(p.GetProperty("milestones").EnumerateArray().Select(m => Duration.Parse(m.GetString()!)), p.Option("gamma", 0.1), warmup, scale),
            "polynomial" => new PolynomialScheduler(p.GetProperty("power").GetDouble(), OptionalD(p, "t_max"), p.Option("alpha_f", 0.0), warmup, scale),
            "exponential" => new ExponentialScheduler(p.GetProperty("gamma").GetDouble(), OptionalD(p, "decay_period"), warmup, scale),
            var kind => throw new ArgumentException(kind),
        };
    }

    public static IEnumerable<object[]> CaseNames() =>
        OptimizerReference.Root.GetProperty("schedulers").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MultipliersMatchComposersDefinitions(string name)
    {
        var c = Case(name);
        var schedule = Create(c);
        var max = Duration.Parse(c.GetProperty("max_duration").GetString()!);
        var bpe = c.GetProperty("batches_per_epoch").GetInt64();
        var ssr = c.GetProperty("ssr").GetDouble();
        var expected = c.GetProperty("multipliers").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var stamps = c.GetProperty("timestamps").EnumerateArray().ToArray();
        for (var i = 0; i < stamps.Length; i++)
        {
            var ts = new Timestamp
            {
                Batch = stamps[i].GetProperty("batch").GetInt64(),
                Epoch = stamps[i].GetProperty("epoch").GetInt64(),
                BatchInEpoch = stamps[i].GetProperty("batch_in_epoch").GetInt64(),
                Sample = stamps[i].GetProperty("sample").GetInt64(),
            };
            schedule.Multiplier(ts, max, bpe, ssr).Should().BeApproximately(expected[i], 1e-12, $"{name} at batch {ts.Batch}");
        }
    }

    [Fact]
    public void WithoutAnEpochLengthEpochsAreCountedWhole()
    {
        // max 10ep, epoch length unknown: 1dur = 10 epochs, the linear decay moves once per epoch.
        var linear = new LinearScheduler(alpha_i: 1.0, alpha_f: 0.0);
        linear.Multiplier(new Timestamp { Epoch = 3, Batch = 999 }, Duration.Epochs(10)).Should().BeApproximately(0.7, 1e-12);
        new StepScheduler("2ep", gamma: 0.5).Multiplier(new Timestamp { Epoch = 5 }, Duration.Epochs(10)).Should().Be(0.25);
    }

    /// <summary>Records each batch's learning rate (as the optimizer holds it during the batch).</summary>
    private sealed class LrRecorder : ITrainingCallback
    {
        public List<(long Batch, double Lr)> Seen { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BeforeOptimizerStep)
                Seen.Add((state.Timestamp.Batch, state.Optimizer.ParamGroups.Single().LearningRate));
        }
    }

    private static TrainerOptions Make(Mlp model, Tensor x, Tensor y, LrRecorder recorder, string? folder, double ssr = 1.0)
    {
        var options = Options(model, x, y, batchSize: 16, max: "4ep");   // 6 batches per epoch → 24 batches
        options.Optimizer = p => new DecoupledAdamW(p, lr: 0.01, weight_decay: 1e-4);
        options.ScaleScheduleRatio = ssr;
        options.Schedulers = (opt, state) => new[] { new CosineAnnealingScheduler(alpha_f: 0.1, t_warmup: "4ba").Attach(opt, state) };
        options.Callbacks.Add(recorder);
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("5ba"), KeepLast = 1 };
        return options;
    }

    private static double Expected(long batch, long total, double lr0 = 0.01)
    {
        if (batch < 4) return lr0 * batch / 4.0;
        var frac = Math.Min(1.0, (batch - 4.0) / (total - 4.0));
        return lr0 * (0.1 + 0.9 * (1 + Math.Cos(Math.PI * frac)) / 2);
    }

    [Fact]
    public void TheTrainerSetsEachBatchsLearningRateFromItsTimestampAndHonoursTheScaleScheduleRatio()
    {
        var (x, y) = Data(n: 96);
        foreach (var (ssr, total) in new[] { (1.0, 24L), (0.5, 12L) })
        {
            using var model = new Mlp();
            var recorder = new LrRecorder();
            new Trainer(Make(model, x, y, recorder, folder: null, ssr)).Fit();
            recorder.Seen.Should().HaveCount((int)total);
            foreach (var (batch, lr) in recorder.Seen)
                lr.Should().BeApproximately(Expected(batch, total), 1e-15, $"ssr {ssr}, batch {batch}");
        }
    }

    [Fact]
    public void AResumedRunGetsIdenticalLearningRatesAndWeights()
    {
        var (x, y) = Data(n: 96);
        manual_seed(5);
        using var runs = ResumeHarness.Run(() => new Mlp(), (model, folder) => Make(model, x, y, new LrRecorder(), folder), interruptAt: 10,
            resumedModel: () => new Mlp(), sameInitialWeights: true, interrupted: options => options.MaxDuration = Duration.Parse("4ep"));
        LrRecorder Recorder(ResumeRun<Mlp> run) => run.Options.Callbacks.OfType<LrRecorder>().Single();
        var (full, firstRecorder, secondRecorder) = (Recorder(runs.Uninterrupted), Recorder(runs.Interrupted), Recorder(runs.Resumed));
        runs.Interrupted.Result.Timestamp.Batch.Should().Be(10);

        secondRecorder.Seen.First().Batch.Should().Be(10, "the run resumes from the checkpoint at batch 10");
        firstRecorder.Seen.Concat(secondRecorder.Seen).Should().Equal(full.Seen, "every batch's LR must be identical to the uninterrupted run");
        var expected = Weights(runs.Uninterrupted.Model);
        foreach (var (name, w) in Weights(runs.Resumed.Model)) w.Should().Equal(expected[name], $"{name} must be bit-identical after resume");
    }

    [Fact]
    public void InAHandWrittenLoopTheSchedulerReadsTheGivenClock()
    {
        var p = new TorchSharp.Modules.Parameter(ones(2));
        using var opt = new DecoupledSGDW(new[] { p }, lr: 0.2);
        var now = Timestamp.Zero;
        var scheduler = new StepScheduler("10ba", gamma: 0.5).Attach(opt, () => now, Duration.Batches(100));
        opt.ParamGroups.Single().LearningRate.Should().Be(0.2, "constructing the scheduler sets the first LR");
        for (var i = 0; i < 10; i++) now = now.AfterBatch(4);
        scheduler.step();
        opt.ParamGroups.Single().LearningRate.Should().Be(0.1);
        scheduler.LastMultiplier.Should().Be(0.5);
    }

    public static IEnumerable<object[]> InvalidSchedules() => new[]
    {
        new object[] { (Action)(() => new CosineAnnealingScheduler(t_max: "0ba")), "t_max", "Invalid scheduler option: t_max = 0ba; expected a positive duration such as \"1dur\", \"100ba\" or \"2ep\"." },
        new object[] { (Action)(() => new LinearScheduler(alpha_f: double.NaN)), "alpha_f", "Invalid scheduler option: alpha_f = NaN; expected a finite value." },
        new object[] { (Action)(() => new CosineAnnealingWarmRestartsScheduler("10ba", t_mult: 0.5)), "t_mult", "Invalid scheduler option: t_mult = 0.5; expected a finite value in [1, +inf)." },
        new object[] { (Action)(() => new StepScheduler("10ba", gamma: -1)), "gamma", "Invalid scheduler option: gamma = -1; expected a finite value in [0, +inf)." },
        new object[] { (Action)(() => new MultiStepScheduler(Array.Empty<Duration>())), "milestones", "Invalid scheduler option: milestones = []; expected at least one milestone." },
        new object[] { (Action)(() => new PolynomialScheduler(power: -2)), "power", "Invalid scheduler option: power = -2; expected a finite value in [0, +inf)." },
        new object[] { (Action)(() => new ExponentialScheduler(gamma: 0)), "gamma", "Invalid scheduler option: gamma = 0; expected a finite value in (0, +inf)." },
        new object[] { (Action)(() => new CosineAnnealingScheduler(t_warmup: "10sp").Multiplier(new Timestamp { Sample = 50 }, Duration.Batches(100))), "t_warmup",
            "Invalid scheduler option: t_warmup is in 'sp' but t_max is in 'ba' after conversion; expected both in the same unit (or either as a 'dur' fraction)." },
        new object[] { (Action)(() => new LinearScheduler().Multiplier(Timestamp.Zero, Duration.Fraction(0.5))), "maxDuration", "Invalid maximum duration: maxDuration = 0.5dur; expected a positive duration in ep, ba, sp or tok." },
    };

    [Theory]
    [MemberData(nameof(InvalidSchedules))]
    public void RejectsInvalidOptionsNamingTheOptionTheValueAndTheRange(Action create, string param, string message)
    {
        var e = create.Should().Throw<ArgumentException>().Which;
        e.ParamName.Should().Be(param);
        e.Message.Should().StartWith(message);
    }
}
