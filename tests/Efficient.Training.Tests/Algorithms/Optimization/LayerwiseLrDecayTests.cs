using System.Collections.Generic;
using Efficient.Training.Algorithms;
using Efficient.Training.Models;
using Efficient.Training.Schedulers;
using Efficient.Training.Tests.Core;
using TorchSharp.Modules;
using static Efficient.Training.Tests.Algorithms.Optimization.OptimTechniqueReference;

namespace Efficient.Training.Tests.Algorithms.Optimization;

public sealed class LayerwiseLrDecayTests
{
    // Five full training steps (forward, backward, step) of a float32 model in libtorch 2.10 vs PyTorch 1.13:
    // gradients differ by float rounding, which AdamW's normalized update amplifies slightly.
    private const double Rtol = 1e-5, Atol = 2e-6;

    [Fact]
    public void TheDefaultDepthUnderstandsBertEncoderAndLayerStacks()
    {
        using var model = new BertEncoder(new BertEncoderOptions { VocabSize = 20, HiddenSize = 8, Layers = 2, Heads = 2, IntermediateSize = 16, MaxLength = 16, PreLayerNorm = true });
        var names = model.named_parameters().Select(p => p.name).ToList();
        var (depths, top) = LayerwiseLrDecay.Depths(names);
        top.Should().Be(3, "embeddings 0, two layers 1 and 2, the head above them");
        foreach (var name in names)
        {
            var expected = name.StartsWith("embeddings.", StringComparison.Ordinal) ? 0
                : name.StartsWith("layers.0.", StringComparison.Ordinal) ? 1
                : name.StartsWith("layers.1.", StringComparison.Ordinal) ? 2 : 3;
            depths[name].Should().Be(expected, name);
        }
        names.Should().Contain(new[] { "embeddings.token.weight", "layers.1.attention.qkv.weight", "final_norm.weight" });
        var factors = LayerwiseLrDecay.Factors(model, 0.5);
        factors["embeddings.token.weight"].Should().Be(0.125);
        factors["layers.0.attention.qkv.weight"].Should().Be(0.25);
        factors["layers.1.feed_forward.intermediate.weight"].Should().Be(0.5);
        factors["final_norm.weight"].Should().Be(1);

        LayerwiseLrDecay.DefaultDepth("encoder.layer.11.output.dense.weight").Should().Be(12);
        LayerwiseLrDecay.DefaultDepth("blocks.3.attn.qkv.weight").Should().Be(4);
        LayerwiseLrDecay.DefaultDepth("model.embed_tokens.weight").Should().Be(0);
        LayerwiseLrDecay.DefaultDepth("classifier.weight").Should().BeNull();
        LayerwiseLrDecay.DefaultDepth("layers10.weight").Should().BeNull();
    }

    [Fact]
    public void DepthsResolveTheTopAndRejectNegativeOnes()
    {
        var (flat, flatTop) = LayerwiseLrDecay.Depths(new[] { "fc1.weight", "fc2.weight" });
        flatTop.Should().Be(0, "without embeddings or layers every parameter is at the top: no decay");
        flat.Should().BeEquivalentTo(new Dictionary<string, int> { ["fc1.weight"] = 0, ["fc2.weight"] = 0 });
        var (custom, top) = LayerwiseLrDecay.Depths(new[] { "a", "b", "c" }, n => n == "a" ? 0 : n == "b" ? 2 : null);
        (custom["a"], custom["b"], custom["c"], top).Should().Be((0, 2, 3, 3));
        LayerwiseLrDecay.Depths(new[] { "a", "b" }, n => n == "a" ? 0 : 5).Top.Should().Be(5, "every name has a depth: the largest is the top");
        FluentActions.Invoking(() => LayerwiseLrDecay.Depths(new[] { "x" }, _ => -1)).Should().Throw<ArgumentException>()
            .WithMessage("The depth of parameter 'x' is -1; expected a depth >= 0 (or null for the top).*");
        using var model = new TinyEncoder();
        FluentActions.Invoking(() => LayerwiseLrDecay.Factors(model, 1.5)).Should().Throw<ArgumentException>()
            .WithMessage("decay = 1.5 is invalid; expected a value in (0, 1].*");
        FluentActions.Invoking(() => LayerwiseLrDecay.ParameterGroups(model, -0.1, 0.8, (ps, lr) => lr)).Should().Throw<ArgumentException>()
            .WithMessage("learningRate = -0.1 is invalid; expected a finite value >= 0.*");
        FluentActions.Invoking(() => LayerwiseLrDecay.ScaledStep(new[] { ((Tensor)zeros(1), -1.0) }, () => { })).Should().Throw<ArgumentException>()
            .WithMessage("A factor is -1; expected a finite value >= 0.*");
    }

    private static optim.Optimizer MakeGrouped(JsonCase c, TinyEncoder model) => c.Optimizer == "sgd"
        ? optim.SGD(LayerwiseLrDecay.ParameterGroups(model, c.Lr, c.Decay, (ps, lr) => new SGD.ParamGroup(ps, lr, momentum: c.Momentum)), c.Lr, momentum: c.Momentum)
        : optim.AdamW(LayerwiseLrDecay.ParameterGroups(model, c.Lr, c.Decay, (ps, lr) => new AdamW.ParamGroup(ps, lr, weight_decay: c.WeightDecay)), c.Lr, weight_decay: c.WeightDecay);

    private static optim.Optimizer MakeSingle(JsonCase c, TinyEncoder model) => c.Optimizer == "sgd"
        ? optim.SGD(model.parameters(), c.Lr, momentum: c.Momentum)
        : optim.AdamW(model.parameters(), c.Lr, weight_decay: c.WeightDecay);

    private sealed record JsonCase(string Optimizer, double Lr, double Decay, double Momentum, double WeightDecay)
    {
        public static JsonCase Of(string name)
        {
            var o = Root.GetProperty("llrd").GetProperty("cases").GetProperty(name).GetProperty("options");
            double Get(string p) => o.TryGetProperty(p, out var v) ? v.GetDouble() : 0;
            return new JsonCase(o.GetProperty("optimizer").GetString()!, Get("lr"), Get("decay"), Get("momentum"), Get("weight_decay"));
        }
    }

    [Theory]
    [InlineData("sgd_momentum", true)]
    [InlineData("adamw", true)]
    [InlineData("sgd_momentum", false)]
    [InlineData("adamw", false)]
    public void ParameterGroupsAndScaledStepFollowTorchParameterGroups(string name, bool groups)
    {
        using var scope = NewDisposeScope();
        var c = JsonCase.Of(name);
        using var model = new TinyEncoder();
        var (x, y) = LlrdData();
        using var opt = groups ? MakeGrouped(c, model) : MakeSingle(c, model);
        if (groups) opt.ParamGroups.Should().HaveCount(5, "embeddings, three layers, the head");
        var factors = LayerwiseLrDecay.Factors(model, c.Decay);
        var depths = Root.GetProperty("llrd").GetProperty("depths");
        foreach (var (n, f) in factors) f.Should().BeApproximately(Math.Pow(c.Decay, 4 - depths.GetProperty(n).GetInt32()), 1e-12, n);
        var scaled = model.named_parameters().Select(p => ((Tensor)p.parameter, factors[p.name])).ToList();
        for (var t = 0; t < Steps; t++)
        {
            using var step = NewDisposeScope();
            opt.zero_grad();
            nn.functional.cross_entropy(model.call(x), y).backward();
            if (groups) opt.step();
            else LayerwiseLrDecay.ScaledStep(scaled, () => opt.step());
            var expected = Root.GetProperty("llrd").GetProperty("cases").GetProperty(name).GetProperty("trajectory")[t];
            foreach (var (n, p) in model.named_parameters())
                ShouldBeClose(p.Values(), Floats(expected.GetProperty(n)), Rtol, Atol, $"{name} ({(groups ? "groups" : "scaled step")}): {n} after step {t + 1}");
        }
    }

    private static TrainerOptions Make(TinyEncoder model, Tensor x, Tensor y, bool algorithm, string? folder = null)
    {
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = algorithm
                ? p => optim.AdamW(p, 0.05, weight_decay: 0.01)
                : p => optim.AdamW(LayerwiseLrDecay.ParameterGroups(model, 0.05, 0.7, (ps, lr) => new AdamW.ParamGroup(ps, lr, weight_decay: 0.01)), 0.05, weight_decay: 0.01),
            Schedulers = (opt, state) => new[] { new CosineAnnealingScheduler(t_warmup: "2ba").Attach(opt, state) },
            TrainData = new TensorTrainingData(x, y, 2, shuffle: true, seed: 3),
            MaxDuration = Duration.Parse("4ep"),
            Seed = 7,
        };
        if (algorithm) options.Algorithms.Add(new LayerwiseLrDecayAlgorithm(new LayerwiseLrDecayOptions { Decay = 0.7 }));
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("3ba"), KeepLast = 1 };
        return options;
    }

    [Fact]
    public void TheAlgorithmInTheTrainerEqualsParameterGroupsUnderASchedule()
    {
        // The algorithm scales each update of the single-group AdamW by 0.7^(4 − depth); the other run
        // has one group per depth at 0.05·0.7^(4 − depth); a cosine schedule with warm-up drives both.
        var (x, y) = LlrdData();
        using var a = new TinyEncoder();
        using var b = new TinyEncoder();
        using var plain = new TinyEncoder();
        var initial = TestModels.Weights(a);
        var algorithm = new LayerwiseLrDecayAlgorithm(new LayerwiseLrDecayOptions { Decay = 0.7 });
        var withAlgorithm = Make(a, x, y, algorithm: true);
        withAlgorithm.Algorithms[0] = algorithm;
        new Trainer(withAlgorithm).Fit().Timestamp.Batch.Should().Be(8);
        new Trainer(Make(b, x, y, algorithm: false)).Fit();
        var plainOptions = Make(plain, x, y, algorithm: true);
        plainOptions.Algorithms.Clear();
        new Trainer(plainOptions).Fit();
        algorithm.Factors["embeddings.token.weight"].Should().BeApproximately(0.7 * 0.7 * 0.7 * 0.7, 1e-12);
        algorithm.Factors["head.weight"].Should().Be(1);
        var grouped = TestModels.Weights(b);
        var unscaled = TestModels.Weights(plain);
        foreach (var (name, w) in TestModels.Weights(a))
        {
            ShouldBeClose(w, grouped[name], 1e-5, 1e-6, $"{name}: the algorithm equals the parameter groups");
            if (name.StartsWith("embeddings", StringComparison.Ordinal))
            {
                double Moved(float[] v) => v.Zip(initial[name], (p, q) => Math.Abs((double)p - q)).Sum();
                Moved(w).Should().BeLessThan(0.5 * Moved(unscaled[name]), "the embeddings train at 0.24 of the rate");
            }
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameWeights()
    {
        var (x, y) = LlrdData();
        var runs = new List<Dictionary<string, float[]>>();
        for (var r = 0; r < 2; r++)
        {
            using var model = new TinyEncoder();
            new Trainer(Make(model, x, y, algorithm: true)).Fit();
            runs.Add(TestModels.Weights(model));
        }
        foreach (var (name, w) in runs[0]) runs[1][name].Should().Equal(w, name);
    }

    [Fact]
    public void AResumedRunEqualsTheUninterruptedOne()
    {
        var (x, y) = LlrdData();
        using var runs = ResumeHarness.Run(() => new TinyEncoder(), (model, folder) => Make(model, x, y, algorithm: true, folder), interruptAt: 5);
        runs.Interrupted.Result.Timestamp.Batch.Should().Be(5);
        runs.Resumed.Result.Timestamp.Batch.Should().Be(8);
        var expected = TestModels.Weights(runs.Uninterrupted.Model);
        foreach (var (name, w) in TestModels.Weights(runs.Resumed.Model)) w.Should().Equal(expected[name], $"{name} must be bit-identical after resume");
    }

    [Fact]
    public void DefaultsAndInvalidOptions()
    {
        var o = new LayerwiseLrDecayOptions();
        o.Decay.Should().Be(0.8);
        o.DepthOf.Should().BeNull();
        FluentActions.Invoking(() => new LayerwiseLrDecayAlgorithm(new LayerwiseLrDecayOptions { Decay = 0 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("LayerwiseLrDecayOptions is invalid: Property Decay: 0 is invalid; expected a value in (0, 1].");
        FluentActions.Invoking(() => new LayerwiseLrDecayAlgorithm(new LayerwiseLrDecayOptions { Decay = double.NaN }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("LayerwiseLrDecayOptions is invalid: Property Decay: NaN is invalid; expected a value in (0, 1].");
    }

    [Fact]
    public void ARecipeCanNameTheAlgorithm()
    {
        var recipe = RecipeFile.Parse("""{ "algorithms": [ { "name": "LayerwiseLrDecay", "options": { "Decay": 0.75 } } ] }""");
        recipe.CreateAlgorithms().Single().Should().BeOfType<LayerwiseLrDecayAlgorithm>();
        FluentActions.Invoking(() => RecipeFile.Parse("""{ "algorithms": [ { "name": "LayerwiseLrDecay", "options": { "Decay": 2 } } ] }""").CreateAlgorithms())
            .Should().Throw<System.IO.InvalidDataException>().WithMessage("*Property Decay: 2 is invalid; expected a value in (0, 1].*");
    }
}
