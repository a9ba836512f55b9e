using System.Collections.Generic;
using System.IO;
using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using Efficient.Training.Optimizers;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Optimization.OptimTechniqueReference;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Algorithms.Optimization;

public sealed class LarsTests
{
    // Weights after each of 5 steps from fixed weights and gradients, both in float32: the paper's
    // update written out in PyTorch 1.13 vs ours; they differ only by the order of float operations.
    private const double Rtol = 1e-5, Atol = 1e-6;

    [Theory]
    [InlineData("default")]
    [InlineData("all_layers_no_momentum")]
    [InlineData("strong_trust")]
    public void TheOptimizerFollowsThePapersUpdate(string name)
    {
        using var scope = NewDisposeScope();
        var c = Root.GetProperty("lars").GetProperty(name);
        var o = c.GetProperty("options");
        var ps = InitialParameters();
        using var opt = new Lars(ps, lr: 1, momentum: o.GetProperty("momentum").GetDouble(), weight_decay: o.GetProperty("weight_decay").GetDouble(),
            trust_coefficient: o.GetProperty("trust_coefficient").GetDouble(), eps: o.GetProperty("eps").GetDouble(), exclude_1d: o.GetProperty("exclude_1d").GetBoolean());
        var lrs = LearningRates;
        for (var t = 0; t < Steps; t++)
        {
            opt.ParamGroups.Single().LearningRate = lrs[t];
            SetGradients(ps, t);
            opt.step();
            var expected = c.GetProperty("trajectory")[t].EnumerateArray().ToArray();
            for (var i = 0; i < ps.Length; i++) ShouldBeClose(ps[i].Values(), Floats(expected[i]), Rtol, Atol, $"{name}: tensor {i} after step {t + 1}");
        }
    }

    [Theory]
    [InlineData("sgd_clip")]
    [InlineData("sgd_scale_exclude")]
    [InlineData("adam_clip")]
    public void AdaptGradientsFollowsApexLarc(string name)
    {
        using var scope = NewDisposeScope();
        var c = Root.GetProperty("larc").GetProperty(name);
        var o = c.GetProperty("options");
        var ps = InitialParameters();
        var lrs = LearningRates;
        using var opt = o.GetProperty("optimizer").GetString() == "sgd" ? optim.SGD(ps, lrs[0], momentum: 0.9) : (optim.Optimizer)optim.Adam(ps, lrs[0]);
        var mode = Enum.Parse<LarsMode>(o.GetProperty("mode").GetString()!);
        for (var t = 0; t < Steps; t++)
        {
            opt.ParamGroups.Single().LearningRate = lrs[t];
            SetGradients(ps, t);
            Lars.AdaptGradients(opt, o.GetProperty("trust_coefficient").GetDouble(), mode, o.GetProperty("weight_decay").GetDouble(),
                o.GetProperty("eps").GetDouble(), o.GetProperty("exclude_1d").GetBoolean());
            opt.step();
            var expected = c.GetProperty("trajectory")[t].EnumerateArray().ToArray();
            for (var i = 0; i < ps.Length; i++) ShouldBeClose(ps[i].Values(), Floats(expected[i]), Rtol, Atol, $"{name}: tensor {i} after step {t + 1}");
        }
    }

    [Fact]
    public void TrustRatioIsEtaTimesTheNormRatioOrOneWhenANormIsZero()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new float[] { 3, 4 });        // ‖w‖ = 5
        var g = tensor(new float[] { 0, 2 });        // ‖g‖ = 2
        Lars.TrustRatio(w, g, 0.1, 0.5, 0).item<float>().Should().BeApproximately(0.1f * 5 / (2 + 0.5f * 5), 1e-7f);
        Lars.TrustRatio(zeros(2), g).item<float>().Should().Be(1);
        Lars.TrustRatio(w, zeros(2)).item<float>().Should().Be(1);
        FluentActions.Invoking(() => Lars.TrustRatio(w, zeros(3))).Should().Throw<ArgumentException>()
            .WithMessage("The gradient has shape [3] but the weight has [2]; expected equal shapes.*");
        FluentActions.Invoking(() => Lars.TrustRatio(w, g, trustCoefficient: 0)).Should().Throw<ArgumentException>()
            .WithMessage("Invalid trust coefficient: trustCoefficient = 0; expected a finite value in (0, +inf).*");
    }

    [Fact]
    public void AdaptGradientsLeavesOneDimensionalTensorsAndZeroNormsAlone()
    {
        using var scope = NewDisposeScope();
        var ps = InitialParameters();
        SetGradients(ps, 0);
        var before = ps.Select(p => p.grad!.Values()).ToArray();
        Lars.AdaptGradients(ps, learningRate: 0.5, trustCoefficient: 0.02, mode: LarsMode.Scale, weightDecay: 0.1);
        ps[1].grad!.Values().Should().Equal(before[1], "1-D tensors are excluded by default");
        ps[2].grad!.Values().Should().Equal(before[2], "‖w‖ = 0: apex's LARC leaves the gradient alone");
        ps[0].grad!.Values().Should().NotEqual(before[0]);
        FluentActions.Invoking(() => Lars.AdaptGradients(ps, learningRate: -1)).Should().Throw<ArgumentException>()
            .WithMessage("Invalid learning rate: learningRate = -1; expected a finite value in [0, +inf).*");
        FluentActions.Invoking(() => Lars.AdaptGradients(ps, 0.1, mode: (LarsMode)7)).Should().Throw<ArgumentException>()
            .WithMessage("Invalid LARS mode: mode = 7; expected Scale or Clip.*");
    }

    [Fact]
    public void TheOptimizerStateRoundTripsAndContinuesIdentically()
    {
        using var scope = NewDisposeScope();
        var a = InitialParameters();
        var b = InitialParameters();
        using var optA = new Lars(a, lr: 0.5, weight_decay: 1e-3, trust_coefficient: 0.02);
        using var optB = new Lars(b, lr: 0.1);
        SetGradients(a, 0);
        optA.step();
        using (no_grad()) for (var i = 0; i < a.Length; i++) b[i].copy_(a[i]);
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) optA.save_state_dict(writer);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream)) optB.load_state_dict(reader);
        optB.ParamGroups.Single().LearningRate.Should().Be(0.5);
        for (var t = 1; t < 3; t++)
        {
            SetGradients(a, t);
            SetGradients(b, t);
            optA.step();
            optB.step();
        }
        for (var i = 0; i < a.Length; i++) b[i].Values().Should().Equal(a[i].Values());
    }

    public static IEnumerable<object[]> InvalidOptimizerOptions() => new[]
    {
        new object[] { (Action)(() => new Lars(InitialParameters(), lr: -1)), "lr", "Invalid learning rate: lr = -1; expected a finite value in [0, +inf)." },
        new object[] { (Action)(() => new Lars(InitialParameters(), lr: 0.1, momentum: -0.5)), "momentum", "Invalid momentum: momentum = -0.5; expected a finite value in [0, +inf)." },
        new object[] { (Action)(() => new Lars(InitialParameters(), lr: 0.1, weight_decay: double.NaN)), "weight_decay", "Invalid weight_decay value: weight_decay = NaN; expected a finite value in [0, +inf)." },
        new object[] { (Action)(() => new Lars(InitialParameters(), lr: 0.1, trust_coefficient: 0)), "trust_coefficient", "Invalid trust coefficient: trust_coefficient = 0; expected a finite value in (0, +inf)." },
        new object[] { (Action)(() => new Lars(InitialParameters(), lr: 0.1, eps: -1)), "eps", "Invalid epsilon value: eps = -1; expected a finite value in [0, +inf)." },
        new object[] { (Action)(() => new Lars(new ParamGroup[] { new ParamGroup<Lars.Options>(InitialParameters(), new Lars.Options { trust_coefficient = -2 }) }, 0.1)), "trust_coefficient", "Invalid trust coefficient in parameter group 0: trust_coefficient = -2; expected a finite value in (0, +inf)." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptimizerOptions))]
    public void InvalidOptimizerOptionsNameTheOptionAndTheRange(Action create, string param, string message)
        => FluentActions.Invoking(create).Should().Throw<ArgumentException>().Where(e => e.ParamName == param).WithMessage(message + "*");

    [Fact]
    public void DefaultsAreApexLarcsAndThePapers()
    {
        var o = new LarsOptions();
        o.TrustCoefficient.Should().Be(0.02);
        o.Mode.Should().Be(LarsMode.Clip);
        o.WeightDecay.Should().Be(0);
        o.Eps.Should().Be(1e-8);
        o.ExcludeOneDimensional.Should().BeTrue();
        using var scope = NewDisposeScope();
        var opt = (Lars.Options)new Lars(InitialParameters(), lr: 0.1).ParamGroups.Cast<ParamGroup>().Single().Options;
        (opt.momentum, opt.weight_decay, opt.trust_coefficient, opt.eps, opt.exclude_1d).Should().Be((0.9, 0.0, 0.001, 1e-8, true));
    }

    [Fact]
    public void InvalidOptionsAreAllReported()
    {
        FluentActions.Invoking(() => new LarsAlgorithm(new LarsOptions { TrustCoefficient = 0, Mode = (LarsMode)5, WeightDecay = -1, Eps = double.NaN }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("LarsOptions is invalid: Property TrustCoefficient: 0 is invalid; expected a finite value > 0. Property Mode: 5 is invalid; expected Scale or Clip. Property WeightDecay: -1 is invalid; expected a finite value >= 0. Property Eps: NaN is invalid; expected a finite value >= 0.");
    }

    private static TrainerOptions Make(Mlp model, Tensor x, Tensor y, string max, LarsOptions? algorithm, bool larsOptimizer, string? folder = null)
    {
        var options = Options(model, x, y, batchSize: 16, max: max);
        options.TrainData = new TensorTrainingData(x, y, 16, shuffle: true, seed: 5);
        options.EvalData = null;
        options.Optimizer = larsOptimizer ? p => new Lars(p, lr: 2.0, weight_decay: 1e-4, trust_coefficient: 0.01) : p => optim.SGD(p, learningRate: 0.5);
        if (algorithm is not null) options.Algorithms.Add(new LarsAlgorithm(algorithm));
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("3ba"), KeepLast = 1 };
        return options;
    }

    [Fact]
    public void InTheTrainerEachWeightMatrixMovesByLrTimesEtaOfItsNorm()
    {
        // Scale mode over plain SGD, one step: Δw = −lr·η·‖w‖·g/(‖g‖ + eps), so ‖Δw‖/‖w‖ = lr·η for every
        // weight matrix whatever its gradient's size; the biases (1-D) take plain SGD.
        var (x, y) = TestModels.Data(n: 32);
        manual_seed(11);
        using var model = new Mlp();
        var initial = Weights(model);
        new Trainer(Make(model, x, y, "1ba", new LarsOptions { Mode = LarsMode.Scale, TrustCoefficient = 0.01 }, larsOptimizer: false)).Fit();
        foreach (var (name, w) in Weights(model))
        {
            var delta = Math.Sqrt(w.Zip(initial[name], (a, b) => (double)(a - b) * (a - b)).Sum());
            var norm = Math.Sqrt(initial[name].Sum(v => (double)v * v));
            if (name.EndsWith("weight", StringComparison.Ordinal)) (delta / norm).Should().BeApproximately(0.5 * 0.01, 1e-6, name);
            else delta.Should().BeGreaterThan(0.5 * 0.01 * norm * 2, $"{name} (1-D) takes a plain SGD step, much larger here");
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameWeights()
    {
        var (x, y) = TestModels.Data(n: 64);
        var runs = new List<Dictionary<string, float[]>>();
        for (var r = 0; r < 2; r++)
        {
            manual_seed(12);
            using var model = new Mlp();
            new Trainer(Make(model, x, y, "1ep", new LarsOptions(), larsOptimizer: true)).Fit();
            runs.Add(Weights(model));
        }
        foreach (var (name, w) in runs[0]) runs[1][name].Should().Equal(w, name);
    }

    [Fact]
    public void AResumedRunEqualsTheUninterruptedOne()
    {
        // The LARS optimizer's momentum buffers are checkpointed; LarsAlgorithm (over it) keeps no state.
        var (x, y) = TestModels.Data(n: 96);
        manual_seed(13);
        using var runs = ResumeHarness.Run(() => new Mlp(), (model, folder) => Make(model, x, y, "2ep", new LarsOptions(), larsOptimizer: true, folder), interruptAt: 7,
            resumedModel: () => new Mlp(), sameInitialWeights: true);
        runs.Interrupted.Result.Timestamp.Batch.Should().Be(7);
        runs.Resumed.Result.Timestamp.Batch.Should().Be(12);
        var expected = Weights(runs.Uninterrupted.Model);
        foreach (var (name, w) in Weights(runs.Resumed.Model)) w.Should().Equal(expected[name], $"{name} must be bit-identical after resume");
    }

    [Fact]
    public void ARecipeCanNameTheOptimizerAndTheAlgorithm()
    {
        var recipe = RecipeFile.Parse("""
            {
              "optimizer": { "name": "Lars", "options": { "lr": 1.5, "trust_coefficient": 0.002, "weight_decay": 1e-4 } },
              "algorithms": [ { "name": "Lars", "options": { "Mode": "Scale", "TrustCoefficient": 0.001 } } ]
            }
            """);
        recipe.CreateAlgorithms().Single().Should().BeOfType<LarsAlgorithm>();
        using var scope = NewDisposeScope();
        using var opt = recipe.CreateOptimizer()!(InitialParameters());
        var o = (Lars.Options)opt.Should().BeOfType<Lars>().Subject.ParamGroups.Cast<ParamGroup>().Single().Options;
        (o.LearningRate, o.trust_coefficient, o.weight_decay, o.momentum).Should().Be((1.5, 0.002, 1e-4, 0.9));
    }
}
