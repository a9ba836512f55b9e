using System.Collections.Generic;
using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.SparseReference;

namespace Efficient.Training.Tests.Algorithms.Regularization;

public sealed class GyroDropoutTests
{
    /// <summary>8 → 12 → dropout → 3; the dropout is held as a base type so surgery can replace it.</summary>
    private sealed class DropoutMlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc1 = nn.Linear(8, 12);
        private readonly nn.Module<Tensor, Tensor> drop = nn.Dropout(0.2);
        private readonly Linear fc2 = nn.Linear(12, 3);

        public DropoutMlp() : base(nameof(DropoutMlp)) => RegisterComponents();

        public override Tensor forward(Tensor input) => fc2.call(drop.call(fc1.call(input).relu()));
    }

    [Fact]
    public void ForwardMatchesComposersLayer()
    {
        foreach (var c in Section("gyro_forward").EnumerateArray())
        {
            var (b, f, sigma, tau, p) = (c.GetProperty("batch").GetInt64(), c.GetProperty("features").GetInt64(), c.GetProperty("sigma").GetInt32(), c.GetProperty("tau").GetInt32(), c.GetProperty("p").GetDouble());
            using var x = tensor(c.FloatsOf("x"), new[] { b, f });
            using var masks = tensor(c.FloatsOf("masks"), new long[] { sigma, f });
            using var indices = tensor(c.LongsOf("indices"));
            var expected = c.FloatsOf("y");

            using var selected = masks.index_select(0, indices);
            GyroDropout.Forward(x, selected, p).Values().ShouldBeClose(expected, rtol: 1e-6, atol: 1e-7);

            // The layer, given Composer's masks and indices mid-period, computes the same.
            using var layer = new GyroDropoutLayer(p, sigma, tau) { IterationsPerSelection = 1000 };
            layer.SetState(masks, indices, trainingStep: 1);
            layer.train();
            layer.call(x).Values().ShouldBeClose(expected, rtol: 1e-6, atol: 1e-7);
            layer.TrainingStep.Should().Be(2);
            layer.eval();
            layer.call(x).Values().Should().Equal(x.Values(), "evaluation is the identity");
        }
    }

    [Fact]
    public void IterationsPerSelectionIsComposers()
    {
        foreach (var c in Section("gyro_iterations").EnumerateArray())
            GyroDropout.IterationsPerSelection(c.GetProperty("iters_per_epoch").GetInt64() * c.GetProperty("max_epoch").GetInt64(), c.GetProperty("sigma").GetInt32(), c.GetProperty("tau").GetInt32())
                .Should().Be(c.GetProperty("iterations").GetInt64());
        GyroDropout.IterationsPerSelection(100, 256, 16).Should().Be(1, "Composer would divide by zero; we re-select every iteration");
    }

    [Fact]
    public void UnevenBatchesAreSplitIntoConsecutiveGroups()
    {
        using var x = ones(5, 2, 3);   // [B, C, L]: the mask acts on dim 1, broadcast over L
        using var masks = tensor(new[] { 1f, 0f, 0f, 1f }, 2, 2);
        var y = GyroDropout.Forward(x, masks, 0.5);
        // Rows 0..4 use masks ⌊i · 2 / 5⌋ = 0, 0, 0, 1, 1; kept values are scaled by 2.
        y.select(2, 0).Values().Should().Equal(2f, 0f, 2f, 0f, 2f, 0f, 0f, 2f, 0f, 2f);
        y.Values().Should().HaveCount(30);
    }

    [Fact]
    public void PreselectedMasksAndSelectionsComeFromTheGenerator()
    {
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        using var a = GyroDropout.PreselectMasks(256, 64, 0.3, g1);
        using var b = GyroDropout.PreselectMasks(256, 64, 0.3, g2);
        a.shape.Should().Equal(256, 64);
        a.Values().Should().Equal(b.Values());
        a.Values().Should().OnlyContain(v => v == 0f || v == 1f);
        a.mean().ToDouble().Should().BeApproximately(0.7, 0.02, "each element is kept with probability 1 − p");
        using var i = GyroDropout.SelectIndices(256, 16, g1);
        using var j = GyroDropout.SelectIndices(256, 16, g2);
        i.data<long>().ToArray().Should().Equal(j.data<long>().ToArray()).And.OnlyContain(v => v >= 0 && v < 256);
    }

    [Fact]
    public void TheLayerLeaksNoTensorOverAThousandSteps()
    {
        using var layer = new GyroDropoutLayer(0.5, 16, 4) { IterationsPerSelection = 3, Generator = new Generator(2) };
        layer.train();
        using var x = randn(8, 10);
        var before = LiveTensors.Count();
        for (var i = 0; i < 1000; i++)
        {
            using var scope = NewDisposeScope();
            layer.call(x);
        }
        var after = LiveTensors.Count();
        (after - before).Should().BeLessThan(50);
        layer.TrainingStep.Should().Be(1000);
    }

    [Fact]
    public void FunctionalFormsRejectBadInput()
    {
        using var x = ones(4, 3);
        using var masks = ones(2, 5);
        var act = () => GyroDropout.Forward(x, masks, 0.5);
        act.Should().Throw<ArgumentException>().WithParameterName("selectedMasks").WithMessage("The selected masks have shape [2, 5]; expected [tau, 3] (the input's dim 1).*");
        using var flat = ones(4);
        act = () => GyroDropout.Forward(flat, masks, 0.5);
        act.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("The input has shape [4]; expected [batch, features, ...] (at least two dimensions).*");
        act = () => GyroDropout.PreselectMasks(0, 3, 0.5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("sigma").WithMessage("Sigma must be >= 1.*");
        act = () => GyroDropout.PreselectMasks(4, 3, 1);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("p").WithMessage("The dropout probability must be in [0, 1).*");
        using var layer = new GyroDropoutLayer(0.5, 4, 2);
        var set = () => layer.SetState(ones(3, 5), zeros(new long[] { 2 }, ScalarType.Int64), 0);
        set.Should().Throw<ArgumentException>().WithParameterName("masks").WithMessage("The masks have shape [3, 5]; expected [4, features].*");
    }

    [Fact]
    public void TheFunctionalApplyReplacesDropoutModules()
    {
        using var model = new DropoutMlp();
        GyroDropout.Apply(model, new GyroDropoutOptions { Sigma = 8, Tau = 2 }, totalIterations: 100).Should().Be(1);
        var layer = model.named_modules().Select(m => m.module).OfType<GyroDropoutLayer>().Single();
        layer.IterationsPerSelection.Should().Be(100 / 8 * 2);
        layer.P.Should().Be(0.5, "Composer uses the algorithm's p, not the replaced layer's");
        model.named_modules().Select(m => m.module).OfType<Dropout>().Should().BeEmpty();
    }

    private sealed class Probe : ITrainingCallback
    {
        private readonly Action _action;
        public Probe(Action action) => _action = action;
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd) _action();
        }
    }

    private static TrainerOptions Options(nn.Module<Tensor, Tensor> model, GyroDropoutAlgorithm gyro, string max = "16ba", string? folder = null, long seed = 5)
    {
        var (x, y) = TestModels.Data(n: 64);
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9),
            TrainData = new TensorTrainingData(x, y, 8, shuffle: true, seed: 3),
            MaxDuration = Duration.Parse(max),
            Seed = seed,
        };
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("3ba"), KeepLast = 2 };
        options.Algorithms.Add(gyro);
        return options;
    }

    [Fact]
    public void TrainsFixedSubnetworksAndReselectsOnComposersSchedule()
    {
        manual_seed(1);
        using var model = new DropoutMlp();
        var gyro = new GyroDropoutAlgorithm(new GyroDropoutOptions { Sigma = 4, Tau = 2 });
        var indices = new List<long[]>();
        var options = Options(model, gyro);
        options.Callbacks.Add(new Probe(() => indices.Add(gyro.Layers.Single().Layer.SelectedIndices!.data<long>().ToArray())));
        var result = new Trainer(options).Fit();

        result.SurgeryReport.Should().Contain("GyroDropout: replaced 1 dropout layers (p 0.5, sigma 4, tau 2)");
        var (path, layer) = gyro.Layers.Single();
        path.Should().Be("drop");
        layer.IterationsPerSelection.Should().Be(16 / 4 * 2, "int(16 batches / sigma) · tau");
        layer.TrainingStep.Should().Be(16);
        layer.PreselectedMasks!.shape.Should().Equal(4, 12);
        // Re-selection at training steps 0 and 8 only.
        for (var i = 1; i < 8; i++) indices[i].Should().Equal(indices[0], $"batch {i + 1} trains the same subnetworks");
        for (var i = 9; i < 16; i++) indices[i].Should().Equal(indices[8], $"batch {i + 1} trains the same subnetworks");
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());

        // In evaluation mode the model is deterministic (the layer is the identity).
        model.eval();
        using var x = ones(4, 8);
        model.call(x).Values().Should().Equal(model.call(x).Values());
    }

    [Fact]
    public void TheSameSeedGivesTheSameRun()
    {
        float[] Run(long seed)
        {
            manual_seed(3);
            using var model = new DropoutMlp();
            new Trainer(Options(model, new GyroDropoutAlgorithm(new GyroDropoutOptions { Sigma = 8, Tau = 4 }), max: "6ba", seed: seed)).Fit();
            return TestModels.Weights(model)["fc1.weight"];
        }
        var a = Run(5);
        Run(5).Should().Equal(a);
        Run(6).Should().NotEqual(a, "masks and selections come from the run's generator");
    }

    [Fact]
    public void ACheckpointResumesWithTheSameMasksAndSelections()
    {
        manual_seed(4);
        var gyro = () => new GyroDropoutAlgorithm(new GyroDropoutOptions { Sigma = 4, Tau = 2 });
        using var runs = ResumeHarness.Run(() => new DropoutMlp(), (model, folder) => Options(model, gyro(), max: "16ba", folder: folder),
            interruptAt: 5,
            resumedModel: () =>
            {
                manual_seed(999);
                return new DropoutMlp();
            },
            sameInitialWeights: true);
        runs.Interrupted.Result.Timestamp.Batch.Should().Be(5);
        runs.Resumed.Result.Timestamp.Batch.Should().Be(16);
        var expected = TestModels.Weights(runs.Uninterrupted.Model);
        var actual = TestModels.Weights(runs.Resumed.Model);
        foreach (var (name, w) in expected) actual[name].Should().Equal(w, $"{name} must be bit-identical after resume");
        var full = runs.Uninterrupted.Options.Algorithms.OfType<GyroDropoutAlgorithm>().Single().Layers.Single().Layer;
        var resumed = runs.Resumed.Options.Algorithms.OfType<GyroDropoutAlgorithm>().Single().Layers.Single().Layer;
        resumed.TrainingStep.Should().Be(full.TrainingStep);
        resumed.PreselectedMasks!.Values().Should().Equal(full.PreselectedMasks!.Values());
        resumed.SelectedIndices!.data<long>().ToArray().Should().Equal(full.SelectedIndices!.data<long>().ToArray());
    }

    [Fact]
    public void ARecipeFileBuildsIt()
    {
        var recipe = RecipeFile.Parse("""
            { "algorithms": [ { "name": "GyroDropout", "options": { "P": 0.3, "Sigma": 64, "Tau": 8 } } ] }
            """);
        var gyro = recipe.CreateAlgorithms().Should().ContainSingle().Which.Should().BeOfType<GyroDropoutAlgorithm>().Subject;
        using var model = new DropoutMlp();
        gyro.Apply(model, new ModelSurgery(model));
        var layer = gyro.Layers.Single().Layer;
        (layer.P, layer.Sigma, layer.Tau).Should().Be((0.3, 64, 8));
    }

    [Fact]
    public void OptionsReportEveryInvalidProperty()
    {
        var act = () => new GyroDropoutAlgorithm(new GyroDropoutOptions { P = 1, Sigma = 0, Tau = -2 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "GyroDropoutOptions is invalid: Property P: 1 is invalid; expected a value in [0, 1). "
            + "Property Sigma: 0 is invalid; expected an integer >= 1. "
            + "Property Tau: -2 is invalid; expected an integer >= 1.");
    }
}
