using System.Collections.Generic;
using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Model.CompressionReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public sealed class MagnitudePruningTests
{
    /// <summary>Three linear layers (8 → 16 → 16 → 3).</summary>
    private sealed class Mlp3 : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc1 = nn.Linear(8, 16);
        private readonly Linear fc2 = nn.Linear(16, 16);
        private readonly Linear fc3 = nn.Linear(16, 3);

        public Mlp3() : base(nameof(Mlp3)) => RegisterComponents();

        public override Tensor forward(Tensor input) => fc3.call(fc2.call(fc1.call(input).relu()).relu());
    }

    /// <summary>conv → conv → linear over [N, 1, 4, 4] images.</summary>
    private sealed class ConvNet : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1 = nn.Conv2d(1, 4, 3, padding: 1);
        private readonly Conv2d conv2 = nn.Conv2d(4, 4, 3, padding: 1);
        private readonly Linear head = nn.Linear(64, 3);

        public ConvNet() : base(nameof(ConvNet)) => RegisterComponents();

        public override Tensor forward(Tensor input) => head.call(conv2.call(conv1.call(input).relu()).relu().flatten(1));
    }

    /// <summary>Records, after every batch, the target sparsity and the zeros of every pruned weight.</summary>
    private sealed class SparsityRecorder : ITrainingCallback
    {
        private readonly MagnitudePruningAlgorithm _pruning;
        public SparsityRecorder(MagnitudePruningAlgorithm pruning) => _pruning = pruning;
        public List<(double target, SparsityReport report)> Batches { get; } = new();
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd) Batches.Add((_pruning.TargetSparsity, _pruning.SparsityReport()));
        }
    }

    [Fact]
    public void TheScheduleIsZhuAndGuptasCubic()
    {
        var s = Section("schedule");
        foreach (var point in s.GetProperty("points").EnumerateArray())
        {
            var (t, expected) = (point[0].GetDouble(), point[1].GetDouble());
            MagnitudePruning.Sparsity(t, s.GetProperty("start").GetDouble(), s.GetProperty("end").GetDouble(), s.GetProperty("initial").GetDouble(), s.GetProperty("final").GetDouble())
                .Should().BeApproximately(expected, 1e-12, $"t = {t}");
        }
        MagnitudePruning.Sparsity(5, 5, 5, 0, 0.9).Should().Be(0.9, "with start = end the final sparsity applies from the start");
    }

    [Fact]
    public void TheScheduleRejectsBadArguments()
    {
        var act = () => MagnitudePruning.Sparsity(1, 5, 4, 0, 0.5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("end").WithMessage("The end must be a finite number >= start (5).*");
        act = () => MagnitudePruning.Sparsity(1, 0, 4, 0.6, 0.5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("finalSparsity").WithMessage("The final sparsity must be in [initialSparsity, 1] = [0.6, 1].*");
        act = () => MagnitudePruning.Sparsity(1, 0, 4, -0.1, 0.5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("initialSparsity");
    }

    [Fact]
    public void PerLayerMasksMatchPyTorchL1Unstructured()
    {
        var s = Section("pruning_local");
        var weights = s.Weights();
        var amounts = s.GetProperty("amounts").EnumerateArray().Select(a => a.GetDouble()).ToArray();
        var expected = s.GetProperty("masks").EnumerateArray().Select(m => m.FloatArray()).ToArray();
        for (var i = 0; i < weights.Length; i++)
        {
            var mask = MagnitudePruning.Masks(new[] { weights[i] }, amounts[i])[0];
            mask.shape.Should().Equal(weights[i].shape);
            mask.data<float>().ToArray().Should().Equal(expected[i], $"mask {i} (amount {amounts[i]})");
        }
        expected[2].Count(v => v == 0).Should().Be(2, "0.25 · 10 = 2.5 rounds half to even, as Python's round");
    }

    [Fact]
    public void GlobalMasksMatchPyTorchGlobalUnstructured()
    {
        var s = Section("pruning_global");
        var weights = s.Weights();
        var masks = MagnitudePruning.Masks(weights, s.GetProperty("amount").GetDouble(), global: true);
        var expected = s.GetProperty("masks").EnumerateArray().Select(m => m.FloatArray()).ToArray();
        for (var i = 0; i < weights.Length; i++) masks[i].data<float>().ToArray().Should().Equal(expected[i], $"mask {i}");
        masks.Sum(m => m.data<float>().ToArray().Count(v => v == 0)).Should().Be(24, "round(0.45 · 54) = 24 pruned in total");
    }

    [Fact]
    public void TiesArePrunedInIndexOrder()
    {
        using var w = tensor(new[] { 1f, -1f, 0.5f, 1f, 2f });
        MagnitudePruning.Masks(new[] { w }, 0.4)[0].data<float>().ToArray().Should().Equal(new[] { 0f, 1f, 0f, 1f, 1f });
        using var a = tensor(new[] { 1f, 2f });
        using var b = tensor(new[] { -1f, 3f });
        var global = MagnitudePruning.Masks(new[] { a, b }, 0.25, global: true);
        global[0].data<float>().ToArray().Should().Equal(new[] { 0f, 1f }, "the tie |1| = |-1| goes to the tensor that comes first");
        global[1].data<float>().ToArray().Should().Equal(new[] { 1f, 1f });
    }

    [Fact]
    public void MasksRejectBadInput()
    {
        using var w = ones(3);
        using var ints = tensor(new long[] { 1, 2 });
        var act = () => MagnitudePruning.Masks(Array.Empty<Tensor>(), 0.5);
        act.Should().Throw<ArgumentException>().WithParameterName("weights").WithMessage("Masks needs at least one weight tensor.*");
        act = () => MagnitudePruning.Masks(new[] { w }, 1.5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("sparsity").WithMessage("The sparsity must be in [0, 1].*");
        act = () => MagnitudePruning.Masks(new[] { w, ints }, 0.5);
        act.Should().Throw<ArgumentException>().WithParameterName("weights").WithMessage("weights[1] has dtype Int64; expected a floating-point tensor.*");
    }

    [Fact]
    public void MeasureCountsZerosPerLayerAndInTotal()
    {
        using var a = tensor(new[] { 0f, 1f, 0f, 2f });
        using var b = tensor(new[] { 3f, 0f });
        var report = MagnitudePruning.Measure(new[] { ("a", a), ("b", b) });
        report.Layers.Select(l => l.Sparsity).Should().Equal(0.5, 0.5);
        report.Zeros.Should().Be(3);
        report.Sparsity.Should().Be(0.5);
        report.ToString().Should().Be("sparsity 50.0% (3/6): a 50.0%, b 50.0%");
    }

    private static TrainerOptions Options(nn.Module<Tensor, Tensor> model, MagnitudePruningAlgorithm pruning, string max = "12ba", string? folder = null)
    {
        var (x, y) = Core.TestModels.Data(n: 64);
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.AdamW(p, lr: 0.01, weight_decay: 0.01),
            TrainData = new TensorTrainingData(x, y, 16, shuffle: true, seed: 3),
            MaxDuration = Duration.Parse(max),
            Seed = 5,
        };
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("4ba"), KeepLast = 2 };
        options.Algorithms.Add(pruning);
        return options;
    }

    [Fact]
    public void PrunesAlongTheScheduleAndKeepsPrunedWeightsAtZero()
    {
        manual_seed(1);
        using var model = new Mlp3();
        var pruning = new MagnitudePruningAlgorithm(new MagnitudePruningOptions
        {
            FinalSparsity = 0.75, Start = "2ba", End = "8ba", Interval = "2ba", IncludeFirstAndLastLayers = true,
        });
        var recorder = new SparsityRecorder(pruning);
        var options = Options(model, pruning);
        options.Callbacks.Add(recorder);
        var trainer = new Trainer(options);
        var result = trainer.Fit();

        pruning.PrunedWeights.Should().Equal("fc1.weight", "fc2.weight", "fc3.weight");
        // Pruning steps at batches 2, 4, 6, 8; in between (and after 8) the masks hold through AdamW's updates.
        var expectedTargets = new[] { 0, 2, 2, 4, 4, 6, 6, 8, 8, 8, 8, 8 }.Select(b => MagnitudePruning.Sparsity(b, 2, 8, 0, 0.75)).ToArray();
        recorder.Batches.Select(b => b.target).Should().Equal(expectedTargets);
        for (var i = 0; i < recorder.Batches.Count; i++)
            foreach (var layer in recorder.Batches[i].report.Layers)
                layer.Zeros.Should().Be((long)Math.Round(expectedTargets[i] * layer.Elements, MidpointRounding.ToEven), $"{layer.Name} after batch {i + 1}");

        var report = (SparsityReport)trainer.State!.Items[MagnitudePruningAlgorithm.ReportKey];
        report.Sparsity.Should().Be(0.75);
        result.SurgeryReport.Should().Contain("MagnitudePruning: pruning 3 weight tensors (432 elements) to sparsity 0.75, per layer");
        result.SurgeryReport.Should().Contain("MagnitudePruning: final sparsity 75.0% (324/432): fc1.weight 75.0%, fc2.weight 75.0%, fc3.weight 75.0%");
    }

    [Fact]
    public void GlobalPruningUsesOneThresholdAndDefaultsKeepTheFirstAndLastLayerDense()
    {
        manual_seed(2);
        using var model = new Mlp3();
        var pruning = new MagnitudePruningAlgorithm(new MagnitudePruningOptions { FinalSparsity = 0.5, Start = "0.25dur", End = "0.5dur", Interval = "1ba", Global = true });
        new Trainer(Options(model, pruning, max: "8ba")).Fit();
        pruning.PrunedWeights.Should().Equal("fc2.weight");
        pruning.SparsityReport().Zeros.Should().Be(128);

        manual_seed(2);
        using var other = new Mlp3();
        var all = new MagnitudePruningAlgorithm(new MagnitudePruningOptions { FinalSparsity = 0.5, Start = "2ba", End = "4ba", Global = true, IncludeFirstAndLastLayers = true });
        new Trainer(Options(other, all, max: "6ba")).Fit();
        var layers = all.SparsityReport();
        layers.Zeros.Should().Be(216, "one threshold over all 432 weights prunes exactly half of them");
        layers.Layers.Select(l => l.Sparsity).Distinct().Should().HaveCountGreaterThan(1, "a global threshold prunes the layers unevenly");
    }

    [Fact]
    public void LayerTypesAndExcludedNamesSelectThePrunableWeights()
    {
        using var model = new ConvNet();
        var convsOnly = new MagnitudePruningAlgorithm(new MagnitudePruningOptions { Layers = PrunableLayers.Convolution, IncludeFirstAndLastLayers = true });
        convsOnly.Apply(model, new ModelSurgery(model));
        convsOnly.PrunedWeights.Should().Equal("conv1.weight", "conv2.weight");

        var excluded = new MagnitudePruningAlgorithm(new MagnitudePruningOptions { IncludeFirstAndLastLayers = true, ExcludeNames = { "conv2" } });
        excluded.Apply(model, new ModelSurgery(model));
        excluded.PrunedWeights.Should().Equal("conv1.weight", "head.weight");

        var inner = new MagnitudePruningAlgorithm();
        var surgery = new ModelSurgery(model);
        inner.Apply(model, surgery);
        inner.PrunedWeights.Should().Equal("conv2.weight");
        surgery.Report.Should().Equal("pruning 1 weight tensors (144 elements) to sparsity 0.5, per layer");
    }

    [Fact]
    public void ACheckpointTakenMidPruningResumesIdentically()
    {
        var pruningOptions = () => new MagnitudePruningOptions { FinalSparsity = 0.8, Start = "2ba", End = "14ba", Interval = "3ba", IncludeFirstAndLastLayers = true };

        // Interrupted after batch 7: the masks of the pruning step at batch 5 are in the checkpoint.
        manual_seed(3);
        using var runs = ResumeHarness.Run(() => new Mlp3(), (model, folder) => Options(model, new MagnitudePruningAlgorithm(pruningOptions()), max: "18ba", folder: folder),
            interruptAt: 7,
            resumedModel: () =>
            {
                manual_seed(999);
                return new Mlp3();
            },
            sameInitialWeights: true);
        var reference = runs.Uninterrupted.Model;
        var fullPruning = runs.Uninterrupted.Options.Algorithms.OfType<MagnitudePruningAlgorithm>().Single();

        runs.Interrupted.Result.Timestamp.Batch.Should().Be(7);
        runs.Interrupted.Options.Algorithms.OfType<MagnitudePruningAlgorithm>().Single().TargetSparsity.Should().BeGreaterThan(0).And.BeLessThan(0.8);

        var second = runs.Resumed.Model;
        var resumedPruning = runs.Resumed.Options.Algorithms.OfType<MagnitudePruningAlgorithm>().Single();
        runs.Resumed.Result.Timestamp.Batch.Should().Be(18);

        var expected = Core.TestModels.Weights(reference);
        var actual = Core.TestModels.Weights(second);
        foreach (var (name, w) in expected) actual[name].Should().Equal(w, $"{name} must be bit-identical after resume");
        resumedPruning.SparsityReport().Should().BeEquivalentTo(fullPruning.SparsityReport());
        var fullMasks = fullPruning.SaveState().Tensors;
        var resumedMasks = resumedPruning.SaveState().Tensors;
        resumedMasks.Keys.Should().BeEquivalentTo(fullMasks.Keys);
        foreach (var (key, mask) in fullMasks) resumedMasks[key].data<float>().ToArray().Should().Equal(mask.data<float>().ToArray(), key);
    }

    [Fact]
    public void OptionsReportEveryInvalidProperty()
    {
        var act = () => new MagnitudePruningAlgorithm(new MagnitudePruningOptions { InitialSparsity = 0.6, FinalSparsity = 0.5, Interval = "0ba", End = "100tok" });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "MagnitudePruningOptions is invalid: Property FinalSparsity: 0.5 is invalid; expected a value >= InitialSparsity (0.6). "
            + "Property End: 100tok is invalid; expected a duration in ep, ba, sp or dur. "
            + "Property Interval: 0ba is invalid; expected a positive duration in ep, ba, sp or dur.");
        act = () => new MagnitudePruningAlgorithm(new MagnitudePruningOptions { FinalSparsity = 1, Start = "10ba", End = "5ba", ExcludeNames = null! });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "MagnitudePruningOptions is invalid: Property FinalSparsity: 1 is invalid; expected a value in [0, 1). "
            + "Property End: 5ba is invalid; expected a time not before Start (10ba). "
            + "Property ExcludeNames: null is invalid; expected a value (not null).");
    }
}
