using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using Efficient.Training.Models;
using Efficient.Training.Tests.Core;

namespace Efficient.Training.Tests.Algorithms.Model;

public sealed class ModelGrowthTests
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_growth.json"))));

    private static JsonElement Ref => Document.Value.RootElement;

    private static float[] Floats(string name) => Ref.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static long[] Mapping => Ref.GetProperty("mapping").EnumerateArray().Select(v => v.GetInt64()).ToArray();

    /// <summary>conv A (3 → 4, 3×3, bias) → BatchNorm(4) → ReLU → conv B (4 → 5, 3×3, bias) in child "branch", with the reference's weights.</summary>
    private sealed class PairNet : nn.Module<Tensor, Tensor>
    {
        private nn.Module<Tensor, Tensor> branch;

        public PairNet() : base(nameof(PairNet))
        {
            branch = nn.Sequential(nn.Conv2d(3, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 5, 3, padding: 1));
            RegisterComponents();
            using var _ = no_grad();
            var p = named_parameters().ToDictionary(x => x.name, x => x.parameter);
            p["branch.0.weight"].copy_(tensor(Floats("wa"), new long[] { 4, 3, 3, 3 }));
            p["branch.0.bias"].copy_(tensor(Floats("ba")));
            p["branch.1.weight"].copy_(tensor(Floats("gamma")));
            p["branch.1.bias"].copy_(tensor(Floats("beta")));
            p["branch.3.weight"].copy_(tensor(Floats("wb"), new long[] { 5, 4, 3, 3 }));
            p["branch.3.bias"].copy_(tensor(Floats("bb")));
            var b = named_buffers().ToDictionary(x => x.name, x => x.buffer);
            b["branch.1.running_mean"].copy_(tensor(Floats("running_mean")));
            b["branch.1.running_var"].copy_(tensor(Floats("running_var")));
        }

        public nn.Module<Tensor, Tensor> Branch => branch;

        public override Tensor forward(Tensor input) => branch.call(input);
    }

    private static Tensor Input() => tensor(Floats("input"), new long[] { 2, 3, 5, 5 });

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    private static float[] Output(nn.Module<Tensor, Tensor> model, bool training)
    {
        // Training-mode BatchNorm updates the running statistics: run on a copy of them.
        var saved = model.named_buffers().ToDictionary(b => b.name, b => b.buffer.clone());
        model.train(training);
        using var _ = no_grad();
        var y = Values(model.call(Input()));
        foreach (var (name, b) in model.named_buffers()) b.copy_(saved[name]);
        model.eval();
        return y;
    }

    private static Dictionary<string, Parameter> Params(nn.Module m) => m.named_parameters().ToDictionary(p => p.name, p => p.parameter);

    [Fact]
    public void WiderMatchesTheNet2NetReferenceAndPreservesTheFunction()
    {
        ConvolutionCheck.Run(new PairNet());
        using var model = new PairNet();
        model.eval();
        var before = Output(model, training: false);
        before.ShouldBeClose(Floats("output_eval"), rtol: 1e-4, atol: 1e-5);

        ModelGrowth.Widen(model, "branch", Mapping);

        var p = Params(model);
        p["branch.0.weight"].shape.Should().Equal(7, 3, 3, 3);
        p["branch.3.weight"].shape.Should().Equal(5, 7, 3, 3);
        Values(p["branch.0.weight"]).ShouldBeClose(Floats("wider_wa"));
        Values(p["branch.0.bias"]).ShouldBeClose(Floats("wider_ba"));
        Values(p["branch.1.weight"]).ShouldBeClose(Floats("wider_gamma"));
        Values(p["branch.1.bias"]).ShouldBeClose(Floats("wider_beta"));
        Values(p["branch.3.weight"]).ShouldBeClose(Floats("wider_wb"));
        var b = model.named_buffers().ToDictionary(x => x.name, x => x.buffer);
        Values(b["branch.1.running_mean"]).ShouldBeClose(Floats("wider_running_mean"));
        Values(b["branch.1.running_var"]).ShouldBeClose(Floats("wider_running_var"));

        // Function preserved: in evaluation mode, and in training mode (replicated channels have the same batch statistics).
        var after = Output(model, training: false);
        after.ShouldBeClose(before, rtol: 1e-4, atol: 1e-5);
        after.ShouldBeClose(Floats("wider_output_eval"), rtol: 1e-4, atol: 1e-5);
        Output(model, training: true).ShouldBeClose(Floats("wider_output_train"), rtol: 1e-4, atol: 1e-5);
        Output(model, training: true).ShouldBeClose(Floats("output_train"), rtol: 1e-4, atol: 1e-5);
    }

    [Fact]
    public void DeeperInsertsAnIdentityLayerAsTheReference()
    {
        using var model = new PairNet();
        model.eval();
        ModelGrowth.Deepen(model, "branch");
        ModelTestRuns.ModuleNames(model).Should().Equal(
            "branch:Sequential", "branch.0:Conv2d", "branch.1:BatchNorm2d", "branch.2:ReLU",
            "branch.3:Conv2d", "branch.4:BatchNorm2d", "branch.5:ReLU", "branch.6:Conv2d");
        Output(model, training: false).ShouldBeClose(Floats("deeper_output_eval"), rtol: 1e-4, atol: 1e-5);
        Output(model, training: false).ShouldBeClose(Floats("output_eval"), rtol: 1e-4, atol: 1e-5);

        using var calibrated = new PairNet();
        calibrated.eval();
        ModelGrowth.Deepen(calibrated, "branch", calibrationInput: Input());
        var b = calibrated.named_buffers().ToDictionary(x => x.name, x => x.buffer);
        Values(b["branch.4.running_mean"]).ShouldBeClose(Floats("deeper_mean"), rtol: 1e-4, atol: 1e-5);
        Values(b["branch.4.running_var"]).ShouldBeClose(Floats("deeper_var"), rtol: 1e-4, atol: 1e-5);
        Output(calibrated, training: false).ShouldBeClose(Floats("deeper_calibrated_output_eval"), rtol: 1e-4, atol: 1e-5);
        // Training mode: the part before the new layer is in evaluation mode in the reference; here only the new BatchNorm trains.
        calibrated.Branch.named_children().Select(c => c.module).ToList()[4].train();
        using (no_grad())
        {
            Values(calibrated.call(Input())).ShouldBeClose(Floats("deeper_calibrated_output_train"), rtol: 1e-4, atol: 1e-4);
            Values(calibrated.call(Input())).ShouldBeClose(Floats("output_eval"), rtol: 1e-4, atol: 1e-4);
        }
    }

    // After one step from zero state, SGD's momentum buffer is the gradient and Adam's moments are (1 − β1)·g and (1 − β2)·g².
    private static (PairNet model, optim.Optimizer optimizer) SteppedOnce(Func<IEnumerable<Parameter>, optim.Optimizer> make)
    {
        ConvolutionCheck.Run(new PairNet());   // this CPU's oneDNN computes wrong input gradients for these channel counts
        var model = new PairNet();
        model.eval();
        var optimizer = make(model.parameters().ToList());
        optimizer.zero_grad();
        var loss = (model.call(Input()) * tensor(Floats("loss_weights"), new long[] { 2, 5, 5, 5 })).sum();
        loss.backward();
        optimizer.step();
        return (model, optimizer);
    }

    private static readonly (string Param, string Grad)[] GrownGradients =
    {
        ("branch.0.weight", "wider_grad_wa"), ("branch.0.bias", "wider_grad_ba"), ("branch.1.weight", "wider_grad_gamma"),
        ("branch.1.bias", "wider_grad_beta"), ("branch.3.weight", "wider_grad_wb"), ("branch.3.bias", "wider_grad_bb"),
    };

    [Fact]
    public void SgdMomentumIsCarriedAsTheGrownNetworksGradient()
    {
        var (model, optimizer) = SteppedOnce(p => optim.SGD(p, 0.01, momentum: 0.9));
        using var _ = model;
        ModelGrowth.Widen(model, "branch", Mapping, optimizer);

        var p = Params(model);
        optimizer.parameters().Should().Equal(model.parameters(), (a, b) => ReferenceEquals(a, b), "the grown parameters take the old ones' places");
        foreach (var (name, grad) in GrownGradients)
        {
            var state = (SGD.State)OptimizerSurgery_StateOf(optimizer, p[name]);
            Values(state.momentum_buffer).ShouldBeClose(Floats(grad), rtol: 1e-4, atol: 1e-5);
        }
        // And it keeps training.
        optimizer.zero_grad();
        model.train();
        model.call(Input()).sum().backward();
        optimizer.step();
        model.parameters().Should().OnlyContain(q => q.isfinite().all().item<bool>());
    }

    [Fact]
    public void AdamMomentsAreCarriedAsTheGrownNetworksGradientAndItsSquare()
    {
        const double beta1 = 0.9, beta2 = 0.999;
        var (model, optimizer) = SteppedOnce(p => optim.Adam(p, 0.01, beta1, beta2));
        using var _ = model;
        ModelGrowth.Widen(model, "branch", Mapping, optimizer);
        var p = Params(model);
        foreach (var (name, grad) in GrownGradients)
        {
            var state = (Adam.State)OptimizerSurgery_StateOf(optimizer, p[name]);
            var g = Floats(grad);
            Values(state.exp_avg).ShouldBeClose(g.Select(v => (float)((1 - beta1) * v)).ToArray(), rtol: 1e-4, atol: 1e-6);
            Values(state.exp_avg_sq).ShouldBeClose(g.Select(v => (float)((1 - beta2) * v * v)).ToArray(), rtol: 1e-3, atol: 1e-9);
        }
    }

    [Fact]
    public void TheLibrarysSlotOptimizersCarryTheirMomentsToo()
    {
        const double beta1 = 0.9, beta2 = 0.95;
        var (model, optimizer) = SteppedOnce(p => new Efficient.Training.Optimizers.DecoupledAdamW(p, 0.01, beta1, beta2, weight_decay: 0));
        using var _ = model;
        ModelGrowth.Widen(model, "branch", Mapping, optimizer);
        var p = Params(model);
        foreach (var (name, grad) in GrownGradients)
        {
            var state = (Efficient.Training.Optimizers.DecoupledAdamW.State)OptimizerSurgery_StateOf(optimizer, p[name]);
            state.step.Should().Be(1);
            var g = Floats(grad);
            Values(state.exp_avg!).ShouldBeClose(g.Select(v => (float)((1 - beta1) * v)).ToArray(), rtol: 1e-4, atol: 1e-6);
            Values(state.exp_avg_sq!).ShouldBeClose(g.Select(v => (float)((1 - beta2) * v * v)).ToArray(), rtol: 1e-3, atol: 1e-9);
        }
        ModelGrowth.Deepen(model, "branch", optimizer);
        optimizer.parameters().Should().Equal(model.parameters(), (a, b) => ReferenceEquals(a, b));
        optimizer.zero_grad();
        model.train();
        model.call(Input()).sum().backward();
        optimizer.step();
        model.parameters().Should().OnlyContain(q => q.isfinite().all().item<bool>());
    }

    [Fact]
    public void ARecipeFileConfiguresIt()
    {
        var recipe = RecipeFile.Parse("""{ "algorithms": [ { "name": "ModelGrowth", "options": { "Operator": "Deeper", "Schedule": ["2ba", "0.5dur"], "Modules": ["layers.0.residual"] } } ] }""");
        var growth = (ModelGrowthAlgorithm)recipe.CreateAlgorithms().Single();
        using var model = ModelTestRuns.SmallResNet();
        var surgery = new ModelSurgery(model) { CurrentAlgorithm = growth.Name };
        growth.Apply(model, surgery);
        surgery.Report.Should().Equal("ModelGrowth: Net2DeeperNet on 1 growth site at [2ba, 0.5dur]");
    }

    private static OptimizerState OptimizerSurgery_StateOf(optim.Optimizer optimizer, Parameter p)
        => ((OptimizerHelper)optimizer).state_dict().State[optimizer.parameters().ToList().FindIndex(q => ReferenceEquals(q, p))];

    [Fact]
    public void DeeperAddsTheNewParametersToTheOptimizerInModelOrder()
    {
        var (model, optimizer) = SteppedOnce(p => optim.SGD(p, 0.01, momentum: 0.9));
        using var _ = model;
        ModelGrowth.Deepen(model, "branch", optimizer);
        optimizer.ParamGroups.Should().HaveCount(1);
        optimizer.parameters().Should().Equal(model.parameters(), (a, b) => ReferenceEquals(a, b), "an optimizer built over the grown model lists them so");
        optimizer.zero_grad();
        model.train();
        model.call(Input()).sum().backward();
        optimizer.step();
        Params(model)["branch.3.weight"].grad.Should().NotBeNull("the new identity convolution trains");
        // The checkpointed state loads into an optimizer built over the grown model.
        var file = Path.Combine(Path.GetTempPath(), $"growth-{Guid.NewGuid():N}.bin");
        try
        {
            ((OptimizerHelper)optimizer).save_state_dict(file);
            var fresh = optim.SGD(model.parameters().ToList(), 0.01, momentum: 0.9);
            fresh.load_state_dict(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void FindsTheResidualBranchesOfAResNetAndRejectsNamesThatDoNotQualify()
    {
        using var resnet = ModelTestRuns.SmallResNet();
        ModelGrowth.FindGrowable(resnet).Should().Equal("layers.0.residual", "layers.1.residual", "layers.2.residual");
        ModelGrowth.FindGrowable(resnet, new[] { "layers.1.residual" }).Should().Equal("layers.1.residual");
        var act = () => ModelGrowth.FindGrowable(resnet, new[] { "head", "nothing", "layers.1.shortcut" });
        act.Should().Throw<ArgumentException>().WithMessage(
            "Cannot grow 'head' is a Linear, not a Sequential; 'nothing' is not a submodule of the model; 'layers.1.shortcut' holds no Conv2d -> [BatchNorm2d] -> activation -> Conv2d (ungrouped convolutions); expected names of Sequential modules that hold Conv2d -> [BatchNorm2d] -> activation -> Conv2d.*");
        var widen = () => ModelGrowth.Widen(resnet, "layers.0.residual", new long[] { 0, 1, 2 });
        widen.Should().Throw<ArgumentException>().WithMessage("The mapping has 3 entries; expected more than the hidden width 16 of 'layers.0.residual'.*");
        var wrong = () => ModelGrowth.Widen(resnet, "layers.0.residual", Enumerable.Range(0, 17).Select(i => i == 16 ? 16L : i).ToArray());
        wrong.Should().Throw<ArgumentException>().WithMessage("mapping[16] = 16 is invalid; expected an old channel in [0, 16).*");
    }

    private static TrainerOptions Options(nn.Module<Tensor, Tensor> model, ModelGrowthOptions growth, string max = "8ba", string? folder = null)
    {
        var (x, y) = ModelTestRuns.Images(32, 8, seed: 4);
        var options = ModelTestRuns.Options(model, x, y, max, batchSize: 4);
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("2ba"), KeepLast = 2 };
        options.Algorithms.Add(new ModelGrowthAlgorithm(growth));
        return options;
    }

    [Fact]
    public void WidensTheResNetBlocksAtTheScheduledTimeInsideTheTrainer()
    {
        manual_seed(1);
        using var model = ModelTestRuns.SmallResNet();
        var options = Options(model, new ModelGrowthOptions { Schedule = new List<Duration> { "2ba", "0.75dur" } });
        var growth = options.Algorithms.OfType<ModelGrowthAlgorithm>().Single();
        var widths = new List<long>();
        options.Callbacks.Add(new Watch(_ => widths.Add(ModelGrowth.HiddenWidth(model, "layers.0.residual"))));
        var trainer = new Trainer(options);
        trainer.Fit();
        trainer.SurgeryReport.Should().Contain("ModelGrowth: Net2WiderNet x2 on 3 growth sites at [2ba, 0.75dur]");
        widths.Should().Equal(16, 32, 32, 32, 32, 64, 64, 64);   // seen at each batch end: after batches 2 and 6
        growth.Growths.Should().Be(2);
        ModelGrowth.HiddenWidth(model, "layers.2.residual").Should().Be(256);
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());
    }

    [Fact]
    public void DeepensInsideTheTrainer()
    {
        manual_seed(1);
        using var model = ModelTestRuns.SmallResNet();
        var before = model.parameters().Count();
        var options = Options(model, new ModelGrowthOptions { Operator = GrowthOperator.Deeper, Schedule = new List<Duration> { "3ba" } }, max: "5ba");
        new Trainer(options).Fit();
        model.parameters().Count().Should().Be(before + 3 * 3);   // per block: conv weight, BatchNorm weight and bias
        model.named_modules().Select(m => m.name).Should().Contain("layers.0.residual.7");
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());
    }

    [Theory]
    [InlineData(GrowthOperator.Wider)]
    [InlineData(GrowthOperator.Deeper)]
    public void ACheckpointTakenAfterGrowthResumesIdentically(GrowthOperator op)
    {
        ModelGrowthOptions Growth() => new() { Operator = op, Schedule = new List<Duration> { "3ba", "9ba" } };
        manual_seed(3);
        // Interrupted after batch 5: the checkpoint at batch 4 holds the model grown at batch 3; the second growth happens after resuming.
        using var runs = ResumeHarness.Run(() => ModelTestRuns.SmallResNet(), (model, folder) => Options(model, Growth(), max: "10ba", folder: folder),
            interruptAt: 5,
            resumedModel: () =>
            {
                manual_seed(999);
                return ModelTestRuns.SmallResNet();
            },
            sameInitialWeights: true);
        runs.Interrupted.Result.Timestamp.Batch.Should().Be(5);
        runs.Resumed.Result.SurgeryReport.Should().Contain(l => l.EndsWith("; regrew 1 time(s) to resume", StringComparison.Ordinal));
        runs.Resumed.Options.Algorithms.OfType<ModelGrowthAlgorithm>().Single().Growths.Should().Be(2);
        var expected = TestModels.Weights(runs.Uninterrupted.Model);
        var actual = TestModels.Weights(runs.Resumed.Model);
        actual.Keys.Should().Equal(expected.Keys);
        foreach (var (name, w) in expected) actual[name].Should().Equal(w, $"{name} must be bit-identical after resume");
    }

    [Fact]
    public void TheSameSeedGrowsTheSameWay()
    {
        Dictionary<string, float[]> Run()
        {
            manual_seed(5);
            using var model = ModelTestRuns.SmallResNet();
            new Trainer(Options(model, new ModelGrowthOptions { Schedule = new List<Duration> { "2ba" } }, max: "3ba")).Fit();
            return TestModels.Weights(model);
        }
        var a = Run();
        var b = Run();
        foreach (var (name, w) in a) b[name].Should().Equal(w, name);
    }

    [Fact]
    public void OptionsReportEveryInvalidProperty()
    {
        var act = () => new ModelGrowthAlgorithm(new ModelGrowthOptions
        {
            Operator = (GrowthOperator)7,
            Schedule = new List<Duration> { "4ba", "2ba", "0dur" },
            WidthFactor = 1,
            Modules = new List<string> { " " },
        });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "ModelGrowthOptions is invalid: Property Operator: 7 is invalid; expected Wider, Deeper or Stack. "
            + "Property WidthFactor: 1 is invalid; expected a value in (1, 8]. "
            + "Property Schedule[1]: 2ba is invalid; expected a time after Schedule[0] (4ba). "
            + "Property Schedule[2]: 0dur is invalid; expected a positive time (ep, ba, sp, tok, or dur in (0, 1]). "
            + "Property Modules[0]: ' ' is invalid; expected a dotted module name.");
        var empty = () => new ModelGrowthAlgorithm(new ModelGrowthOptions { Schedule = new List<Duration>() });
        empty.Should().Throw<OptionsValidationException>().WithMessage(
            "ModelGrowthOptions is invalid: Property Schedule: an empty list is invalid; expected at least one time.");
    }

    [Fact]
    public void TheAlgorithmKeepsACopyOfItsOptions()
    {
        var options = new ModelGrowthOptions { Schedule = new List<Duration> { "1ba" } };
        var growth = new ModelGrowthAlgorithm(options);
        options.Schedule.Clear();
        options.WidthFactor = 100;
        using var model = ModelTestRuns.SmallResNet();
        var surgery = new ModelSurgery(model) { CurrentAlgorithm = growth.Name };
        growth.Apply(model, surgery);
        surgery.Report.Should().Equal("ModelGrowth: Net2WiderNet x2 on 3 growth sites at [1ba]");
    }

    private sealed class Watch : ITrainingCallback
    {
        private readonly Action<TrainingState> _atBatchEnd;

        public Watch(Action<TrainingState> atBatchEnd) => _atBatchEnd = atBatchEnd;

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd) _atBatchEnd(state);
        }
    }
}
