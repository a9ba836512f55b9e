using System.Collections.Generic;
using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.SparseReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public sealed class RigLTests
{
    /// <summary>Three linear layers (8 → 32 → 32 → 3).</summary>
    private sealed class Mlp3 : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc1 = nn.Linear(8, 32);
        private readonly Linear fc2 = nn.Linear(32, 32);
        private readonly Linear fc3 = nn.Linear(32, 3);

        public Mlp3() : base(nameof(Mlp3)) => RegisterComponents();

        public override Tensor forward(Tensor input) => fc3.call(fc2.call(fc1.call(input).relu()).relu());
    }

    /// <summary>After every batch: each sparse layer's zeros and a copy of its zero pattern.</summary>
    private sealed class Recorder : ITrainingCallback
    {
        private readonly RigLAlgorithm _rigl;
        public Recorder(RigLAlgorithm rigl) => _rigl = rigl;
        public List<SparsityReport> Reports { get; } = new();
        public List<long> Updates { get; } = new();
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent != TrainingEvent.BatchEnd) return;
            Reports.Add(_rigl.SparsityReport());
            Updates.Add(_rigl.Updates);
        }
    }

    [Fact]
    public void ErdosRenyiKernelSparsitiesMatchTheAuthorsCode()
    {
        foreach (var c in Section("rigl_erk").EnumerateArray())
        {
            var shapes = c.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt64()).ToArray()).ToList();
            var s = c.GetProperty("sparsity").GetDouble();
            var actual = RigL.LayerSparsities(shapes, s, SparsityDistribution.ErdosRenyiKernel);
            var expected = c.DoublesOf("sparsities");
            actual.Should().HaveCount(expected.Length);
            for (var i = 0; i < expected.Length; i++) actual[i].Should().BeApproximately(expected[i], 1e-12, $"layer {i} at S = {s}");
            // The random masks get floor(s · n) zeros, as get_mask_random.
            var zeros = c.LongsOf("zeros");
            using var g = new Generator(1);
            for (var i = 0; i < shapes.Count; i++)
            {
                using var mask = RigL.RandomMask(shapes[i], actual[i], g);
                mask.shape.Should().Equal(shapes[i]);
                mask.eq(0).sum().ToInt64().Should().Be(zeros[i], $"zeros of layer {i} at S = {s}");
                mask.eq(1).sum().ToInt64().Should().Be(mask.numel() - zeros[i]);
            }
            // ERK keeps the total: the kept weights are within one per layer of (1 − S) · n (floors).
            var total = shapes.Sum(sh => sh.Aggregate(1L, (a, b) => a * b));
            var kept = shapes.Select((sh, i) => sh.Aggregate(1L, (a, b) => a * b) - zeros[i]).Sum();
            ((double)kept).Should().BeApproximately((1 - s) * total, shapes.Count + 1);
        }
    }

    [Fact]
    public void UniformGivesEveryLayerTheGlobalSparsity()
    {
        RigL.LayerSparsities(new[] { new long[] { 4, 3 }, new long[] { 2, 2, 3, 3 } }, 0.7, SparsityDistribution.Uniform).Should().Equal(0.7, 0.7);
        RigL.LayerSparsities(new[] { new long[] { 4, 3 } }, 0, SparsityDistribution.ErdosRenyiKernel).Should().Equal(0.0);
    }

    [Fact]
    public void DropFractionIsCosineAnnealed()
    {
        var s = Section("rigl_drop_fraction");
        foreach (var p in s.GetProperty("points").EnumerateArray())
            RigL.DropFraction(p[0].GetDouble(), s.GetProperty("alpha").GetDouble(), s.GetProperty("end").GetDouble())
                .Should().BeApproximately(p[1].GetDouble(), 1e-12, $"t = {p[0]}");
        RigL.DropFraction(750, 0.3, 750).Should().Be(0, "no update from T_end on");
    }

    [Fact]
    public void UpdateMatchesTheAuthorsDropAndGrow()
    {
        foreach (var u in Section("rigl_update").EnumerateArray())
        {
            var shape = u.LongsOf("shape");
            using var mask = tensor(u.FloatsOf("mask"), shape);
            using var gradient = tensor(u.FloatsOf("gradient"), shape);
            var weight = new Parameter(tensor(u.FloatsOf("weight"), shape));
            var f = u.GetProperty("drop_fraction").GetDouble();

            using var updated = RigL.UpdateMask(weight, mask, gradient, f);
            updated.data<float>().ToArray().Should().Equal(u.FloatsOf("new_mask"), $"mask of [{string.Join(", ", shape)}]");

            weight.grad = gradient.clone();
            var grown = RigL.Update(new[] { weight }, new[] { mask }, f);
            mask.data<float>().ToArray().Should().Equal(u.FloatsOf("new_mask"), "Update replaces the mask in place");
            grown.Should().Equal(u.GetProperty("grown").GetInt64());
            weight.data<float>().ToArray().ShouldBeClose(u.FloatsOf("new_weight"), rtol: 0, atol: 0);
            mask.sum().ToSingle().Should().Be(u.FloatsOf("mask").Sum(), "the number of active connections stays constant");
            weight.Dispose();
        }
    }

    [Theory]
    [InlineData("SGD")]
    [InlineData("AdamW")]
    [InlineData("DecoupledAdamW")]
    public void GrownConnectionsStartAtZeroWithoutMomentum(string optimizer)
    {
        // Four active weights of which the smallest (index 0) is dropped; the largest gradient (index 5) is grown.
        var weight = new Parameter(tensor(new[] { 0.1f, 2f, -3f, 4f, 0f, 0f, 0f, 0f }));
        using var mask = tensor(new[] { 1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f });
        optim.Optimizer sgd = optimizer switch
        {
            "SGD" => optim.SGD(new[] { weight }, learningRate: 0.1, momentum: 0.9),
            "AdamW" => optim.AdamW(new[] { weight }, lr: 0.1, weight_decay: 0),
            _ => new Efficient.Training.Optimizers.DecoupledAdamW(new[] { weight }, lr: 0.1, weight_decay: 0),
        };
        weight.grad = tensor(new[] { 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f });   // builds momentum everywhere, inactive included
        sgd.step();
        using (no_grad()) weight.mul_(mask);
        weight.grad = tensor(new[] { 0f, 0f, 0f, 0f, 0.1f, 5f, 0.2f, 0.3f });
        var grown = RigL.Update(new[] { weight }, new[] { mask }, 0.25, sgd);
        grown.Should().Equal(1L);
        mask.data<float>().ToArray().Should().Equal(0f, 1f, 1f, 1f, 0f, 1f, 0f, 0f);
        weight.data<float>()[5].Should().Be(0f, "a grown connection starts at zero");
        // A step with zero gradient moves only by momentum: the grown weight's momentum was reset.
        weight.grad = zeros(8);
        var kept = weight.data<float>()[1];
        sgd.step();
        weight.data<float>()[5].Should().Be(0f, "the grown connection's momentum was zeroed");
        weight.data<float>()[1].Should().NotBe(kept, "the kept connections keep their momentum");
    }

    [Fact]
    public void TheFunctionalFormsLeakNoTensorOverAThousandSteps()
    {
        var weight = new Parameter(randn(16, 12));
        using var mask = RigL.RandomMask(weight.shape, 0.8, new Generator(1));
        using (no_grad()) weight.mul_(mask);
        var sgd = optim.SGD(new[] { weight }, learningRate: 0.01, momentum: 0.9);
        weight.grad = randn(16, 12);
        sgd.step();
        var before = LiveTensors.Count();
        for (var i = 0; i < 1000; i++)
        {
            using var scope = NewDisposeScope();
            weight.grad!.normal_();
            RigL.Update(new[] { weight }, new[] { mask }, RigL.DropFraction(i, 0.3, 1000), sgd);
            using var updated = RigL.UpdateMask(weight, mask, weight.grad!, 0.3);
        }
        var after = LiveTensors.Count();
        (after - before).Should().BeLessThan(50);
        mask.sum().ToInt64().Should().Be(192 - (long)Math.Floor(0.8 * 192), "the number of active connections never changes");
    }

    [Fact]
    public void FunctionalFormsRejectBadInput()
    {
        var act = () => RigL.LayerSparsities(Array.Empty<long[]>(), 0.5);
        act.Should().Throw<ArgumentException>().WithParameterName("shapes").WithMessage("LayerSparsities needs at least one weight shape.*");
        act = () => RigL.LayerSparsities(new[] { new long[] { 3, 0 } }, 0.5);
        act.Should().Throw<ArgumentException>().WithParameterName("shapes").WithMessage("shapes[0] is [3, 0]; expected at least one dimension, all positive.*");
        act = () => RigL.LayerSparsities(new[] { new long[] { 3, 2 } }, 1);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("sparsity").WithMessage("The sparsity must be in [0, 1).*");
        var drop = () => RigL.DropFraction(1, 1.5, 10);
        drop.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("alpha");
        drop = () => RigL.DropFraction(1, 0.3, 0);
        drop.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("endStep").WithMessage("The end step must be a finite number > 0.*");
        using var w = ones(2, 3);
        using var m = ones(3, 2);
        var update = () => RigL.UpdateMask(w, m, w, 0.3);
        update.Should().Throw<ArgumentException>().WithParameterName("mask").WithMessage("The mask has shape [3, 2]; expected the weight's shape [2, 3].*");
        var p = new Parameter(ones(2, 3));
        var all = () => RigL.Update(new[] { p }, new[] { w }, 0.3);
        all.Should().Throw<ArgumentException>().WithParameterName("weights").WithMessage("weights[0] has no gradient; run backward before the RigL update.*");
    }

    private static TrainerOptions Options(nn.Module<Tensor, Tensor> model, RigLAlgorithm rigl, string max = "16ba", string? folder = null, long seed = 5)
    {
        var (x, y) = TestModels.Data(n: 64);
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9, weight_decay: 1e-4),
            TrainData = new TensorTrainingData(x, y, 16, shuffle: true, seed: 3),
            MaxDuration = Duration.Parse(max),
            Seed = seed,
        };
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("4ba"), KeepLast = 2 };
        options.Algorithms.Add(rigl);
        return options;
    }

    [Fact]
    public void TrainsSparseAndMovesConnectionsAtConstantSparsity()
    {
        manual_seed(1);
        using var model = new Mlp3();
        var rigl = new RigLAlgorithm(new RigLOptions { Sparsity = 0.75, UpdateInterval = "3ba", End = "0.75dur" });
        var recorder = new Recorder(rigl);
        var options = Options(model, rigl);
        options.Callbacks.Add(recorder);
        var trainer = new Trainer(options);
        var result = trainer.Fit();

        rigl.SparseWeights.Should().Equal("fc2.weight", "fc3.weight");
        var expected = RigL.LayerSparsities(new[] { new long[] { 32, 32 }, new long[] { 3, 32 } }, 0.75);
        rigl.LayerSparsities.Should().Equal(expected);
        // T_end = 12 batches: updates at steps 3, 6 and 9 (not 12).
        recorder.Updates.Should().Equal(0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
        rigl.LastDropFraction.Should().BeApproximately(RigL.DropFraction(9, 0.3, 12), 1e-12);
        rigl.GrownConnections.Should().BeGreaterThan(0, "the updates regrow connections");
        var zerosExpected = expected.Select((s, i) => (long)Math.Floor(s * new[] { 1024, 96 }[i])).ToArray();
        foreach (var report in recorder.Reports)
            for (var i = 0; i < 2; i++)
                report.Layers[i].Zeros.Should().BeGreaterThanOrEqualTo(zerosExpected[i], "inactive weights stay exactly zero through SGD's momentum and weight decay");
        result.SurgeryReport.Should().Contain(l => l.StartsWith("RigL: sparse training of 2 weight tensors (1120 elements) at sparsity 0.75, ErdosRenyiKernel"));
        result.SurgeryReport.Should().Contain(l => l.StartsWith("RigL: 3 mask updates, "));
        ((SparsityReport)trainer.State!.Items[RigLAlgorithm.ReportKey]).Zeros.Should().BeGreaterThanOrEqualTo(zerosExpected.Sum());
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());
    }

    [Fact]
    public void TheMasksMoveAtUpdatesOnly()
    {
        manual_seed(2);
        using var model = new Mlp3();
        var rigl = new RigLAlgorithm(new RigLOptions { Sparsity = 0.5, UpdateInterval = "2ba", End = "5ba", Distribution = SparsityDistribution.Uniform });
        var masks = new List<float[]>();
        var options = Options(model, rigl, max: "8ba");
        options.Callbacks.Add(new Probe(() => masks.Add(rigl.SaveState().Tensors["mask/fc2.weight"].data<float>().ToArray())));
        new Trainer(options).Fit();
        masks.Should().HaveCount(8);
        masks.Should().OnlyContain(m => m.Count(v => v == 0) == 512, "uniform sparsity 0.5 of 1024 weights, at every batch");
        masks[1].Should().NotEqual(masks[0], "step 2 updates the masks");
        masks[2].Should().Equal(masks[1]);
        masks[3].Should().NotEqual(masks[2], "step 4 updates the masks");
        for (var i = 4; i < 8; i++) masks[i].Should().Equal(masks[3], $"no update after T_end (batch {i + 1})");
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

    [Fact]
    public void TheSameSeedGivesTheSameRun()
    {
        float[] Run(long seed)
        {
            manual_seed(3);
            using var model = new Mlp3();
            new Trainer(Options(model, new RigLAlgorithm(new RigLOptions { UpdateInterval = "2ba" }), max: "8ba", seed: seed)).Fit();
            return TestModels.Weights(model)["fc2.weight"];
        }
        var a = Run(5);
        Run(5).Should().Equal(a);
        Run(6).Should().NotEqual(a, "the masks come from the run's generator");
    }

    [Fact]
    public void KeepFirstLayerDenseAndExcludeNamesSelectTheSparseWeights()
    {
        using var model = new Mlp3();
        var all = new RigLAlgorithm(new RigLOptions { KeepFirstLayerDense = false });
        all.Apply(model, new ModelSurgery(model));
        all.SparseWeights.Should().Equal("fc1.weight", "fc2.weight", "fc3.weight");
        var excluded = new RigLAlgorithm(new RigLOptions { ExcludeNames = { "fc3" } });
        var surgery = new ModelSurgery(model);
        excluded.Apply(model, surgery);
        excluded.SparseWeights.Should().Equal("fc2.weight");
        excluded.LayerSparsities.Should().Equal(new[] { 1 - 205.0 / 1024 }, "ERK keeps n − ⌊S · n⌋ = 205 of 1024 weights");
        surgery.Report.Should().Equal("sparse training of 1 weight tensors (1024 elements) at sparsity 0.8, ErdosRenyiKernel");
    }

    [Fact]
    public void ACheckpointTakenBetweenUpdatesResumesIdentically()
    {
        var rigl = () => new RigLAlgorithm(new RigLOptions { Sparsity = 0.7, UpdateInterval = "3ba", End = "14ba" });
        manual_seed(4);
        using var runs = ResumeHarness.Run(() => new Mlp3(), (model, folder) => Options(model, rigl(), max: "18ba", folder: folder),
            interruptAt: 7,
            resumedModel: () =>
            {
                manual_seed(999);
                return new Mlp3();
            },
            sameInitialWeights: true);
        runs.Interrupted.Result.Timestamp.Batch.Should().Be(7);
        runs.Resumed.Result.Timestamp.Batch.Should().Be(18);
        var expected = TestModels.Weights(runs.Uninterrupted.Model);
        var actual = TestModels.Weights(runs.Resumed.Model);
        foreach (var (name, w) in expected) actual[name].Should().Equal(w, $"{name} must be bit-identical after resume");
        var full = runs.Uninterrupted.Options.Algorithms.OfType<RigLAlgorithm>().Single();
        var resumed = runs.Resumed.Options.Algorithms.OfType<RigLAlgorithm>().Single();
        resumed.Updates.Should().Be(full.Updates).And.Be(4);
        resumed.GrownConnections.Should().Be(full.GrownConnections);
        foreach (var (key, mask) in full.SaveState().Tensors)
            resumed.SaveState().Tensors[key].data<float>().ToArray().Should().Equal(mask.data<float>().ToArray(), key);
    }

    [Fact]
    public void ARecipeFileBuildsIt()
    {
        var recipe = RecipeFile.Parse("""
            { "algorithms": [ { "name": "RigL", "options": { "Sparsity": 0.5, "Distribution": "Uniform", "UpdateInterval": "5ba", "End": "0.5dur", "ExcludeNames": [ "fc3" ] } } ] }
            """);
        var rigl = recipe.CreateAlgorithms().Should().ContainSingle().Which.Should().BeOfType<RigLAlgorithm>().Subject;
        using var model = new Mlp3();
        rigl.Apply(model, new ModelSurgery(model));
        rigl.SparseWeights.Should().Equal("fc2.weight");
        rigl.LayerSparsities.Should().Equal(0.5);
    }

    [Fact]
    public void OptionsReportEveryInvalidProperty()
    {
        var act = () => new RigLAlgorithm(new RigLOptions { Sparsity = 1, DropFraction = 0, UpdateInterval = "0ba", End = "100tok" });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "RigLOptions is invalid: Property Sparsity: 1 is invalid; expected a value in [0, 1). "
            + "Property DropFraction: 0 is invalid; expected a value in (0, 1]. "
            + "Property UpdateInterval: 0ba is invalid; expected a positive duration in ep, ba, sp or dur. "
            + "Property End: 100tok is invalid; expected a positive duration in ep, ba, sp or dur.");
        act = () => new RigLAlgorithm(new RigLOptions { Distribution = (SparsityDistribution)7, Layers = PrunableLayers.None, ExcludeNames = null! });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "RigLOptions is invalid: Property Distribution: 7 is invalid; expected Uniform or ErdosRenyiKernel. "
            + "Property Layers: None is invalid; expected Linear, Convolution or both. "
            + "Property ExcludeNames: null is invalid; expected a value (not null).");
    }
}
