using System.Collections.Generic;
using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Optimization.OptimizationReference;

namespace Efficient.Training.Tests.Algorithms.Optimization;

public class SamTests
{
    private static readonly System.Text.Json.JsonElement Ref = Section("sam");

    [Fact]
    public void FunctionalFormFollowsTheReferenceTrajectoryStepByStep()
    {
        var (x, y) = RefData();
        using var model = new Net();
        var optimizer = Sgd(model.parameters());
        var steps = Ref.GetProperty("steps").EnumerateArray().ToList();
        var interval = Ref.GetProperty("interval").GetInt32();
        for (var i = 0; i < steps.Count; i++)
        {
            using var scope = NewDisposeScope();
            var (bx, by) = RefBatch(x, y, i);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(bx), by);
            loss.backward();
            if ((i + 1) % interval == 0)   // Composer: (global_step + 1) % interval == 0
            {
                Sam.Step(model.parameters(), () =>
                {
                    optimizer.zero_grad();
                    var l = nn.functional.cross_entropy(model.call(bx), by);
                    l.backward();
                    return l;
                }, () => optimizer.step(), Ref.GetProperty("rho").GetDouble(), Ref.GetProperty("epsilon").GetDouble());
            }
            else optimizer.step();
            loss.ToDouble().Should().BeApproximately(steps[i].GetProperty("loss").GetDouble(), 1e-5);
            StateOf(model).ShouldMatch(steps[i].GetProperty("model"), $"model after step {i + 1}");
        }
    }

    [Fact]
    public void AlgorithmFollowsTheReferenceTrajectoryStepByStep()
    {
        var (x, y) = RefData();
        using var model = new Net();
        var seen = new List<Dictionary<string, float[]>>();
        var options = Options(model, x, y, "6ba");
        options.Algorithms.Add(new SamAlgorithm(new SamOptions { Interval = 2 }));
        options.Algorithms.Add(new Recorder(TrainingEvent.BatchEnd, s => seen.Add(StateOf(s.Model))));
        new Trainer(options).Fit();
        var steps = Ref.GetProperty("steps").EnumerateArray().ToList();
        seen.Should().HaveCount(steps.Count);
        for (var i = 0; i < steps.Count; i++) seen[i].ShouldMatch(steps[i].GetProperty("model"), $"model after step {i + 1}");
    }

    [Fact]
    public void WorksWithMicrobatching()
    {
        // Without BatchNorm, the SAM gradients of 2 microbatches equal those of the whole batch.
        var one = AlgorithmRuns.Run(new IAlgorithm[] { new SamAlgorithm() }, microbatches: 1);
        var two = AlgorithmRuns.Run(new IAlgorithm[] { new SamAlgorithm() }, microbatches: 2);
        var plain = AlgorithmRuns.Run();
        AlgorithmRuns.SameWeights(one.Weights, plain.Weights).Should().BeFalse("SAM changes the step");
        foreach (var (name, w) in one.Weights)
            for (var i = 0; i < w.Length; i++) two.Weights[name][i].Should().BeApproximately(w[i], 1e-5f, name);
    }

    [Fact]
    public void PerturbationMovesAlongTheNormalizedGradientAndRestores()
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(tensor(new float[] { 1, 2, 3, 4 }));
        (p * tensor(new float[] { 3, 0, 4, 0 })).sum().backward(); // gradient (3, 0, 4, 0), norm 5
        using (var perturbation = Sam.Perturb(new[] { p }, rho: 0.5, epsilon: 0))
        {
            perturbation.GradientNorm.Should().BeApproximately(5, 1e-6);
            p.data<float>().ToArray().Should().BeEquivalentTo(new[] { 1.3f, 2f, 3.4f, 4f }, o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6f)).WhenTypeIs<float>());
        }
        p.data<float>().ToArray().Should().BeEquivalentTo(new[] { 1f, 2f, 3f, 4f }, o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6f)).WhenTypeIs<float>());
        FluentActions.Invoking(() => Sam.Perturb(new[] { p }, rho: -1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("rho");
        FluentActions.Invoking(() => Sam.Perturb(new[] { p }, epsilon: double.NaN)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("epsilon");
    }

    [Fact]
    public void OptionsHaveComposerDefaultsAndListEveryFailure()
    {
        var o = new SamOptions();
        o.Rho.Should().Be(0.05);
        o.Epsilon.Should().Be(1e-12);
        o.Interval.Should().Be(1);
        FluentActions.Invoking(() => new SamAlgorithm(new SamOptions { Rho = -0.1, Epsilon = double.PositiveInfinity, Interval = 0 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("SamOptions is invalid: Property Rho: -0.1 is invalid; expected a finite value >= 0. "
                + "Property Epsilon: Infinity is invalid; expected a finite value >= 0. "
                + "Property Interval: 0 is invalid; expected a value >= 1.");
    }
}
