using System.Collections.Generic;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Optimization.OptimizationReference;

namespace Efficient.Training.Tests.Algorithms.Optimization;

public class SwaTests
{
    [Theory]
    [InlineData("swa_cos", SwaAnnealStrategy.Cos)]
    [InlineData("swa_linear", SwaAnnealStrategy.Linear)]
    public void FunctionalFormFollowsTorchSwaUtilsEpochByEpoch(string section, SwaAnnealStrategy strategy)
    {
        var r = Section(section);
        var epochs = r.GetProperty("epochs_out").EnumerateArray().ToList();
        int startEpoch = r.GetProperty("start_epoch").GetInt32(), anneal = r.GetProperty("anneal_epochs").GetInt32();
        var swaLr = r.GetProperty("swa_lr").GetDouble();
        var (x, y) = RefData();
        using var model = new Net();
        var optimizer = Sgd(model.parameters());
        var group = optimizer.ParamGroups.Single();
        ShadowWeights? average = null;
        long n = 0, lrStep = 0;
        var initialLr = 0.0;
        for (var epoch = 0; epoch < epochs.Count; epoch++)
        {
            for (var b = 0; b < 3; b++)
            {
                using var scope = NewDisposeScope();
                var (bx, by) = RefBatch(x, y, b);
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.call(bx), by).backward();
                optimizer.step();
            }
            if (epoch + 1 >= startEpoch)
            {
                if (average is null)
                {
                    average = ShadowWeights.Of(model, includeBuffers: false);
                    initialLr = group.LearningRate;
                }
                Swa.UpdateAverage(average, model, n++);
                group.LearningRate = Swa.AnnealedLearningRate(initialLr, swaLr, ++lrStep, anneal, strategy);
            }
            StateOf(model).ShouldMatch(epochs[epoch].GetProperty("model"), $"model after epoch {epoch + 1}");
            if (average is not null) Snapshot(average).ShouldMatch(epochs[epoch].GetProperty("average"), $"average after epoch {epoch + 1}");
            n.Should().Be(epochs[epoch].GetProperty("n_averaged").GetInt64());
            group.LearningRate.Should().BeApproximately(epochs[epoch].GetProperty("lr").GetDouble(), 1e-12);
        }
        average!.CopyTo(model);
        Swa.UpdateBatchNorm(model, new[] { 0, 1, 2 }.Select(b => RefBatch(x, y, b).x)).Should().Be(1);
        model.training.Should().BeTrue("UpdateBatchNorm restores the mode");
        StateOf(model).ShouldMatch(r.GetProperty("final"), "final SWA model after update_bn");
        average.Dispose();
    }

    [Fact]
    public void AlgorithmMatchesTheReferenceWithTheSwaScheduleAndBatchNormUpdate()
    {
        var r = Section("swa_cos");
        var epochs = r.GetProperty("epochs_out").EnumerateArray().ToList();
        var (x, y) = RefData();
        using var model = new Net();
        var swa = new SwaAlgorithm(new SwaOptions
        {
            SwaStart = Duration.Parse("0.5dur"), SwaEnd = Duration.Parse("1dur"), UpdateInterval = Duration.Parse("1ep"),
            ScheduleSwaLr = true, SwaLr = 0.05, AnnealSteps = 2, AnnealStrategy = SwaAnnealStrategy.Cos,
        });
        var seen = new List<(Dictionary<string, float[]> model, Dictionary<string, float[]>? average, double lr, long n)>();
        var options = Options(model, x, y, "4ep");
        // A per-batch trainer schedule, constant for the first two epochs, that SWA must replace once it
        // starts (otherwise it would divide the LR by 100 from batch 8 on).
        options.Schedulers = (opt, _) => new[] { optim.lr_scheduler.LambdaLR(opt, i => i <= 6 ? 1.0 : 0.01) };
        options.Algorithms.Add(swa);
        options.Algorithms.Add(new Recorder(TrainingEvent.EpochEnd, s =>
            seen.Add((StateOf(s.Model), swa.Average is null ? null : Snapshot(swa.Average), s.Optimizer.ParamGroups.Single().LearningRate, swa.AveragedCount))));
        new Trainer(options).Fit();

        seen.Should().HaveCount(4);
        seen[0].average.Should().BeNull("SWA starts at the end of epoch 2");
        for (var e = 0; e < 4; e++)
        {
            seen[e].lr.Should().BeApproximately(epochs[e].GetProperty("lr").GetDouble(), 1e-12);
            if (e == 0) continue;
            seen[e].n.Should().Be(epochs[e].GetProperty("n_averaged").GetInt64());
            seen[e].average!.ShouldMatch(epochs[e].GetProperty("average"), $"average after epoch {e + 1}");
        }
        swa.Completed.Should().BeTrue();
        seen[3].model.ShouldMatch(r.GetProperty("final"), "the model after SWA ends is the average with recomputed BatchNorm statistics");
        StateOf(model).ShouldMatch(r.GetProperty("final"), "final model");
        swa.Dispose();
    }

    [Fact]
    public void AlgorithmWithTheReferenceLearningRatesMatchesTheTrajectory()
    {
        // Same schedule as the reference (constant 0.1 until SWA starts): every epoch matches.
        var r = Section("swa_linear");
        var epochs = r.GetProperty("epochs_out").EnumerateArray().ToList();
        var (x, y) = RefData();
        using var model = new Net();
        var swa = new SwaAlgorithm(new SwaOptions
        {
            SwaStart = Duration.Parse("2ep"), SwaEnd = Duration.Parse("4ep"), ScheduleSwaLr = true, SwaLr = 0.05, AnnealSteps = 2,
        });
        var seen = new List<(Dictionary<string, float[]> model, double lr)>();
        var options = Options(model, x, y, "4ep");
        options.Algorithms.Add(swa);
        options.Algorithms.Add(new Recorder(TrainingEvent.EpochEnd, s => seen.Add((StateOf(s.Model), s.Optimizer.ParamGroups.Single().LearningRate))));
        new Trainer(options).Fit();
        for (var e = 0; e < 3; e++)
        {
            seen[e].model.ShouldMatch(epochs[e].GetProperty("model"), $"model after epoch {e + 1}");
            seen[e].lr.Should().BeApproximately(epochs[e].GetProperty("lr").GetDouble(), 1e-12);
        }
        StateOf(model).ShouldMatch(r.GetProperty("final"), "final model");
        swa.Dispose();
    }

    [Fact]
    public void BatchIntervalsAverageAfterTheOptimizerStep()
    {
        var (x, y) = RefData();
        using var model = new Net();
        var swa = new SwaAlgorithm(new SwaOptions { SwaStart = Duration.Parse("2ba"), SwaEnd = Duration.Parse("5ba"), UpdateInterval = Duration.Parse("1ba") });
        var weights = new List<Dictionary<string, float[]>>();
        var options = Options(model, x, y, "4ba");
        options.Algorithms.Add(swa);
        options.Algorithms.Add(new Recorder(TrainingEvent.AfterOptimizerStep, s => weights.Add(StateOf(s.Model))));
        new Trainer(options).Fit();
        swa.AveragedCount.Should().Be(3, "steps 2, 3 and 4 are averaged");
        swa.Completed.Should().BeTrue("a run that reached its maximum duration before SwaEnd ends with the average");
        var expected = Enumerable.Range(0, weights[1]["fc1.weight"].Length).Select(i => (weights[1]["fc1.weight"][i] + weights[2]["fc1.weight"][i] + weights[3]["fc1.weight"][i]) / 3.0).ToArray();
        var actual = StateOf(model)["fc1.weight"];
        for (var i = 0; i < expected.Length; i++) ((double)actual[i]).Should().BeApproximately(expected[i], 1e-6);
        swa.Dispose();
    }

    [Fact]
    public void AnnealedLearningRateIsSwalrInClosedForm()
    {
        Swa.AnnealedLearningRate(0.1, 0.05, 0, 2, SwaAnnealStrategy.Cos).Should().BeApproximately(0.1, 1e-15);
        Swa.AnnealedLearningRate(0.1, 0.05, 1, 2, SwaAnnealStrategy.Cos).Should().BeApproximately(0.075, 1e-15);
        Swa.AnnealedLearningRate(0.1, 0.05, 1, 4, SwaAnnealStrategy.Linear).Should().BeApproximately(0.0875, 1e-15);
        Swa.AnnealedLearningRate(0.1, 0.05, 9, 4, SwaAnnealStrategy.Linear).Should().BeApproximately(0.05, 1e-15);
        Swa.AnnealedLearningRate(0.1, 0.05, 0, 0, SwaAnnealStrategy.Linear).Should().Be(0.05, "with no annealing the SWA LR applies at once, as SWALR");
        FluentActions.Invoking(() => Swa.AnnealedLearningRate(0.1, 0.05, -1, 2, SwaAnnealStrategy.Cos)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("step");
    }

    [Fact]
    public void UpdateBatchNormSkipsModelsWithoutBatchNorm()
    {
        using var model = new AlgorithmRuns.ImageMlp();
        model.eval();
        Swa.UpdateBatchNorm(model, new[] { ones(2, 16) }).Should().Be(0);
        model.training.Should().BeFalse();
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        var o = new SwaOptions();
        o.SwaStart.Should().Be(Duration.Parse("0.7dur"));
        o.SwaEnd.Should().Be(Duration.Parse("0.97dur"));
        o.UpdateInterval.Should().Be(Duration.Parse("1ep"));
        o.ScheduleSwaLr.Should().BeFalse();
        o.AnnealStrategy.Should().Be(SwaAnnealStrategy.Linear);
        o.AnnealSteps.Should().Be(10);
        o.SwaLr.Should().BeNull();
        FluentActions.Invoking(() => new SwaAlgorithm(new SwaOptions { SwaStart = Duration.Parse("0.8dur"), SwaEnd = Duration.Parse("0.5dur"), UpdateInterval = Duration.Parse("10sp"), AnnealSteps = -1, ScheduleSwaLr = true }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("SwaOptions is invalid: Property UpdateInterval: '10sp' is invalid; expected a positive number of batches or epochs, e.g. '1ep'. "
                + "Property SwaEnd: '0.5dur' is invalid; expected a time at or after SwaStart ('0.8dur'). "
                + "Property AnnealSteps: -1 is invalid; expected a value >= 0. "
                + "Property SwaLr: null is invalid with ScheduleSwaLr = true; expected the learning rate to anneal to (a finite value >= 0).");
        FluentActions.Invoking(() => new SwaAlgorithm(new SwaOptions { SwaLr = -0.1 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("SwaOptions is invalid: Property SwaLr: -0.1 is invalid; expected a finite value >= 0.");
    }
}
