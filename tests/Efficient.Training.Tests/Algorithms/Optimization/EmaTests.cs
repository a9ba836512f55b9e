using System.Collections.Generic;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Optimization.OptimizationReference;

namespace Efficient.Training.Tests.Algorithms.Optimization;

public class EmaTests
{
    private static readonly System.Text.Json.JsonElement Ref = Section("ema");

    [Fact]
    public void FunctionalFormFollowsThePyTorchTrajectoryStepByStep()
    {
        var (x, y) = RefData();
        using var model = new Net();
        var optimizer = Sgd(model.parameters());
        using var shadow = ShadowWeights.Of(model);
        var smoothing = Ema.SmoothingFor(Duration.Parse("2ba"), Duration.Parse("1ba"));
        smoothing.Should().BeApproximately(Ref.GetProperty("smoothing").GetDouble(), 1e-15);
        var steps = Ref.GetProperty("steps").EnumerateArray().ToList();
        for (var i = 0; i < steps.Count; i++)
        {
            using var scope = NewDisposeScope();
            var (bx, by) = RefBatch(x, y, i);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(bx), by);
            loss.backward();
            optimizer.step();
            Ema.Update(shadow, model, smoothing);
            loss.ToDouble().Should().BeApproximately(steps[i].GetProperty("loss").GetDouble(), 1e-5);
            StateOf(model).ShouldMatch(steps[i].GetProperty("model"), $"model after step {i + 1}");
            Snapshot(shadow).ShouldMatch(steps[i].GetProperty("shadow"), $"shadow after step {i + 1}");
        }
    }

    [Fact]
    public void AlgorithmMatchesTheTrajectoryEvaluatesWithTheShadowAndEndsWithIt()
    {
        var (x, y) = RefData();
        using var model = new Net();
        var ema = new EmaAlgorithm(new EmaOptions { HalfLife = Duration.Parse("2ba") });
        var atStep = new List<(Dictionary<string, float[]> model, Dictionary<string, float[]> shadow)>();
        var inEval = new List<(Dictionary<string, float[]> model, Dictionary<string, float[]> shadow)>();
        var options = Options(model, x, y, "6ba");
        options.EvalData = new TensorTrainingData(x, y, 12, shuffle: false);
        options.EvalInterval = Duration.Parse("2ba");
        options.Algorithms.Add(ema);
        options.Algorithms.Add(new Recorder(TrainingEvent.BatchEnd, s => atStep.Add((StateOf(s.Model), Snapshot(ema.Shadow!)))));
        options.Algorithms.Add(new Recorder(TrainingEvent.EvalBatchStart, s => inEval.Add((StateOf(s.Model), Snapshot(ema.Shadow!)))));
        new Trainer(options).Fit();

        var steps = Ref.GetProperty("steps").EnumerateArray().ToList();
        atStep.Should().HaveCount(steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            // Evaluations (with the shadow swapped in) at steps 2 and 4 must not disturb training.
            atStep[i].model.ShouldMatch(steps[i].GetProperty("model"), $"model after step {i + 1}");
            atStep[i].shadow.ShouldMatch(steps[i].GetProperty("shadow"), $"shadow after step {i + 1}");
        }
        inEval.Should().HaveCount(3);
        foreach (var (weights, shadow) in inEval)
            foreach (var (name, values) in shadow) weights[name].Should().Equal(values, $"evaluation must see the shadow {name}");
        StateOf(model).ShouldMatch(steps[^1].GetProperty("shadow"), "the final model holds the EMA weights");
        ema.Dispose();
    }

    [Fact]
    public void AFurtherFitSwapsTheTrainedWeightsBackFirst()
    {
        var (x, y) = RefData();
        using var once = new Net();
        var options = Options(once, x, y, "4ba");
        options.Algorithms.Add(new EmaAlgorithm(new EmaOptions { HalfLife = Duration.Parse("2ba") }));
        new Trainer(options).Fit();

        using var twice = new Net();
        var ema = new EmaAlgorithm(new EmaOptions { HalfLife = Duration.Parse("2ba") });
        var o2 = Options(twice, x, y, "2ba");
        o2.Algorithms.Add(ema);
        var trainer = new Trainer(o2);
        trainer.Fit();
        trainer.State!.MaxDuration = Duration.Parse("4ba"); // the same trainer continues to 4 batches
        trainer.Fit();
        var a = StateOf(once);
        var b = StateOf(twice);
        foreach (var (name, values) in a) b[name].Should().Equal(values, name);
    }

    [Fact]
    public void EmaStartDelaysAveragingAndStartsFromACopy()
    {
        var (x, y) = RefData();
        using var model = new Net();
        var ema = new EmaAlgorithm(new EmaOptions { HalfLife = Duration.Parse("2ba"), EmaStart = Duration.Parse("3ba") });
        var shadows = new List<Dictionary<string, float[]>?>();
        var weights = new List<Dictionary<string, float[]>>();
        var options = Options(model, x, y, "4ba");
        options.Algorithms.Add(ema);
        options.Algorithms.Add(new Recorder(TrainingEvent.BatchEnd, s =>
        {
            shadows.Add(ema.Shadow is null ? null : Snapshot(ema.Shadow));
            weights.Add(StateOf(s.Model));
        }));
        new Trainer(options).Fit();
        shadows[0].Should().BeNull();
        shadows[1].Should().BeNull();
        foreach (var (name, values) in shadows[2]!) values.Should().Equal(weights[2][name], "the shadow starts as a copy at EmaStart");
        var s = ema.Smoothing;
        var fc1 = shadows[3]!["fc1.weight"];
        for (var i = 0; i < fc1.Length; i++)
            ((double)fc1[i]).Should().BeApproximately(s * shadows[2]!["fc1.weight"][i] + (1 - s) * weights[3]["fc1.weight"][i], 1e-6);
    }

    [Fact]
    public void EpochIntervalsUpdateAtTheEndOfEachEpoch()
    {
        var (x, y) = RefData();
        using var model = new Net();
        var initial = StateOf(model);
        var ema = new EmaAlgorithm(new EmaOptions { HalfLife = Duration.Parse("2ep") });
        ema.Smoothing.Should().BeApproximately(Math.Sqrt(0.5), 1e-15);
        var seen = new List<(Dictionary<string, float[]> model, Dictionary<string, float[]> shadow)>();
        var options = Options(model, x, y, "2ep");
        options.Algorithms.Add(ema);
        options.Algorithms.Add(new Recorder(TrainingEvent.EpochEnd, st => seen.Add((StateOf(st.Model), Snapshot(ema.Shadow!)))));
        new Trainer(options).Fit();
        seen.Should().HaveCount(2);
        var s = ema.Smoothing;
        var previous = initial;
        foreach (var (weights, shadow) in seen)
        {
            foreach (var name in new[] { "fc1.weight", "bn.running_mean", "fc2.bias" })
                for (var i = 0; i < shadow[name].Length; i++)
                    ((double)shadow[name][i]).Should().BeApproximately(s * previous[name][i] + (1 - s) * weights[name][i], 1e-6, name);
            previous = shadow;
        }
    }

    [Fact]
    public void SmoothingFollowsTheHalfLife()
    {
        Ema.SmoothingFor(Duration.Parse("1000ba"), Duration.Parse("1ba")).Should().BeApproximately(Math.Pow(0.5, 1.0 / 1000), 1e-15);
        Ema.SmoothingFor(Duration.Parse("4ep"), Duration.Parse("2ep")).Should().BeApproximately(Math.Sqrt(0.5), 1e-15);
        new EmaAlgorithm().Smoothing.Should().BeApproximately(Math.Pow(0.5, 1.0 / 1000), 1e-15);
        new EmaAlgorithm(new EmaOptions { HalfLife = null, Smoothing = 0.9 }).Smoothing.Should().Be(0.9);
        FluentActions.Invoking(() => Ema.SmoothingFor(Duration.Parse("0.5dur"), Duration.Parse("1ba"))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("halfLife");
        FluentActions.Invoking(() => Ema.SmoothingFor(Duration.Parse("10ba"), Duration.Parse("1ep"))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("updateInterval");
    }

    [Fact]
    public void UpdateRejectsBadArguments()
    {
        using var model = new Net();
        using var other = new AlgorithmRuns.ImageMlp();
        using var shadow = ShadowWeights.Of(model);
        FluentActions.Invoking(() => Ema.Update(shadow, model, 1.5)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("smoothing");
        FluentActions.Invoking(() => Ema.Update(shadow, other, 0.9)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("model");
        shadow.SwapIn(model);
        FluentActions.Invoking(() => Ema.Update(shadow, model, 0.9)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => shadow.SwapIn(model)).Should().Throw<InvalidOperationException>();
        shadow.SwapOut(model);
        shadow.IsSwappedIn.Should().BeFalse();
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        var o = new EmaOptions();
        o.HalfLife.Should().Be(Duration.Parse("1000ba"));
        o.Smoothing.Should().BeNull();
        o.UpdateInterval.Should().BeNull();
        o.EmaStart.Should().Be(Duration.Parse("0dur"));
        FluentActions.Invoking(() => new EmaAlgorithm(new EmaOptions { Smoothing = 0.9 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("EmaOptions is invalid: Property Smoothing: 0.9 is invalid together with HalfLife = 1000ba; expected exactly one of HalfLife and Smoothing (set HalfLife to null).");
        FluentActions.Invoking(() => new EmaAlgorithm(new EmaOptions { HalfLife = null }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("EmaOptions is invalid: Property HalfLife: null is invalid together with Smoothing = null; expected exactly one of HalfLife (e.g. '1000ba') and Smoothing.");
        FluentActions.Invoking(() => new EmaAlgorithm(new EmaOptions { HalfLife = Duration.Parse("0.1dur"), UpdateInterval = Duration.Parse("100sp") }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("EmaOptions is invalid: Property HalfLife: '0.1dur' is invalid; expected a positive number of batches or epochs, e.g. '1000ba'. "
                + "Property UpdateInterval: '100sp' is invalid; expected a positive number of batches or epochs, e.g. '1ba'. "
                + "Property UpdateInterval: '100sp' is invalid with HalfLife = '0.1dur'; expected the half-life's unit ('dur').");
        FluentActions.Invoking(() => new EmaAlgorithm(new EmaOptions { HalfLife = null, Smoothing = 1.5 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("EmaOptions is invalid: Property Smoothing: 1.5 is invalid; expected a value in [0, 1].");
    }
}
