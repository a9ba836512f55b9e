using System.Collections.Generic;
using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Model.CompressionReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public class QuantizationAwareTrainingTests
{
    /// <summary>A Linear held in a base-typed field, so surgery can wrap it.</summary>
    private sealed class OneLinear : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> fc;

        public OneLinear(Linear linear) : base(nameof(OneLinear))
        {
            fc = linear;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => fc.call(input);
    }

    /// <summary>Three convs and two linear layers over [N, 1, 4, 4] images.</summary>
    private sealed class ConvNet : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv1 = nn.Conv2d(1, 4, 3, padding: 1);
        private readonly nn.Module<Tensor, Tensor> conv2 = nn.Conv2d(4, 4, 3, Padding.Same, padding_mode: PaddingModes.Reflect);
        private readonly nn.Module<Tensor, Tensor> conv3 = nn.Conv2d(4, 4, 2, stride: 2);
        private readonly nn.Module<Tensor, Tensor> fc1 = nn.Linear(16, 8);
        private readonly nn.Module<Tensor, Tensor> fc2 = nn.Linear(8, 3);

        public ConvNet() : base(nameof(ConvNet)) => RegisterComponents();

        public override Tensor forward(Tensor input) =>
            fc2.call(fc1.call(conv3.call(conv2.call(conv1.call(input).relu()).relu()).relu().flatten(1)).relu());
    }

    /// <summary>An MLP (8 → 32 → 3) with base-typed fields.</summary>
    private sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> fc1 = nn.Linear(8, 32);
        private readonly nn.Module<Tensor, Tensor> fc2 = nn.Linear(32, 3);

        public Mlp() : base(nameof(Mlp)) => RegisterComponents();

        public override Tensor forward(Tensor input) => fc2.call(fc1.call(input).relu());
    }

    [Fact]
    public void QuantizationParametersMatchPyTorchsObservers()
    {
        foreach (var c in Section("qparams").EnumerateArray())
        {
            var (min, max) = ((float)c.GetProperty("min").GetDouble(), (float)c.GetProperty("max").GetDouble());
            var affine = QuantizationAwareTraining.QuantizationParameters(min, max, 0, 255);
            affine.scale.Should().Be((float)c.GetProperty("affine_scale").GetDouble(), $"affine scale of [{min}, {max}]");
            affine.zeroPoint.Should().Be(c.GetProperty("affine_zero_point").GetInt64());
            var symmetric = QuantizationAwareTraining.QuantizationParameters(min, max, -128, 127, symmetric: true);
            symmetric.scale.Should().Be((float)c.GetProperty("symmetric_scale").GetDouble(), $"symmetric scale of [{min}, {max}]");
            symmetric.zeroPoint.Should().Be(c.GetProperty("symmetric_zero_point").GetInt64());
        }
        QuantizationAwareTraining.QuantizationParameters(float.PositiveInfinity, float.NegativeInfinity, 0, 255).Should().Be((1f, 0L), "nothing observed yet");
        QuantizationAwareTraining.QuantizationParameters(-1, 1, 0, 255, symmetric: true).zeroPoint.Should().Be(128, "an unsigned symmetric range is centred on 128");
    }

    [Fact]
    public void TheObserverFollowsPyTorchsMovingAverageMinMaxObserver()
    {
        var s = Section("observer");
        var shape = s.GetProperty("shape").LongArray();
        using var observer = new MovingAverageMinMaxObserver(0.01);
        observer.HasObserved.Should().BeFalse();
        var batches = s.GetProperty("batches").EnumerateArray().ToArray();
        var trajectory = s.GetProperty("trajectory").EnumerateArray().ToArray();
        for (var k = 0; k < batches.Length; k++)
        {
            using var x = tensor(batches[k].FloatArray(), shape);
            observer.Observe(x);
            observer.Min.Should().Be((float)trajectory[k].GetProperty("min").GetDouble(), $"min after batch {k}");
            observer.Max.Should().Be((float)trajectory[k].GetProperty("max").GetDouble(), $"max after batch {k}");
            var (scale, zeroPoint) = observer.QuantizationParameters();
            scale.Should().Be((float)trajectory[k].GetProperty("scale").GetDouble(), $"scale after batch {k}");
            zeroPoint.Should().Be(trajectory[k].GetProperty("zero_point").GetInt64(), $"zero point after batch {k}");
        }
    }

    [Theory]
    [InlineData(QuantizationScheme.PerTensorSymmetric, "per_tensor_symmetric")]
    [InlineData(QuantizationScheme.PerTensorAffine, "per_tensor_affine")]
    [InlineData(QuantizationScheme.PerChannelSymmetric, "per_channel_symmetric")]
    [InlineData(QuantizationScheme.PerChannelAffine, "per_channel_affine")]
    public void WeightFakeQuantizationAndItsGradientMatchPyTorch(QuantizationScheme scheme, string name)
    {
        var s = Section("weight_qparams");
        var expected = s.GetProperty(name);
        using var w = tensor(s.GetProperty("weight").FloatArray(), s.GetProperty("shape").LongArray()).requires_grad_();
        var (scale, zeroPoint) = QuantizationAwareTraining.WeightParameters(w, scheme, -128, 127);
        scale.data<float>().ToArray().Should().Equal(expected.GetProperty("scale").FloatArray());
        zeroPoint.data<int>().ToArray().Select(v => (long)v).Should().Equal(expected.GetProperty("zero_point").LongArray());
        using var fq = QuantizationAwareTraining.FakeQuantizeWeight(w, scheme);
        fq.data<float>().ToArray().Should().Equal(expected.GetProperty("out").FloatArray());
        fq.sum().backward();
        w.grad!.data<float>().ToArray().Should().Equal(expected.GetProperty("grad").FloatArray());
    }

    [Fact]
    public void AWrappedLinearMatchesPyTorchEagerQat()
    {
        var s = Section("qat_linear");
        var linear = nn.Linear(5, 4);
        using (no_grad())
        {
            linear.weight.copy_(tensor(s.GetProperty("weight").FloatArray(), new long[] { 4, 5 }));
            linear.bias!.copy_(tensor(s.GetProperty("bias").FloatArray()));
        }
        using var model = new OneLinear(linear);
        QuantizationAwareTraining.Prepare(model).Should().Be((0, 1));
        model.named_buffers().Select(b => b.name).Should().Equal("fc.weight_scale", "fc.weight_zero_point", "fc.activation_min", "fc.activation_max");

        using var x = tensor(s.GetProperty("input").FloatArray(), new long[] { 6, 5 }).requires_grad_();
        using var gout = tensor(s.GetProperty("gout").FloatArray(), new long[] { 6, 4 });
        using var y = model.call(x);
        y.data<float>().ToArray().ShouldBeClose(s.GetProperty("out").FloatArray(), 1e-6, 1e-6);
        (y * gout).sum().backward();
        x.grad!.data<float>().ToArray().ShouldBeClose(s.GetProperty("ginput").FloatArray(), 1e-6, 1e-6);   // BLAS rounding differs between CPUs
        linear.weight.grad!.data<float>().ToArray().ShouldBeClose(s.GetProperty("gweight").FloatArray(), 1e-6, 1e-6);
        linear.bias.grad!.data<float>().ToArray().ShouldBeClose(s.GetProperty("gbias").FloatArray(), 1e-6, 1e-6);
        model.get_buffer("fc.activation_min")!.ToSingle().Should().Be((float)s.GetProperty("activation_min").GetDouble());
        model.get_buffer("fc.activation_max")!.ToSingle().Should().Be((float)s.GetProperty("activation_max").GetDouble());
    }

    [Fact]
    public void TheTrainerWrapsTheLayersAndReportsIt()
    {
        manual_seed(4);
        using var model = new ConvNet();
        var (x, y) = TestModels.Data(n: 16, features: 16);
        var qat = new QuantizationAwareTrainingAlgorithm();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.05),
            TrainData = new TensorTrainingData(x.reshape(16, 1, 4, 4), y, 8, shuffle: false),
            MaxDuration = Duration.Parse("2ba"),
        };
        options.Algorithms.Add(qat);
        var result = new Trainer(options).Fit();
        result.SurgeryReport.Should().Contain("QAT: wrapped 3 convs, 2 linears");
        qat.Wrapped.Should().Be((3, 2));
        model.named_children().Select(c => c.module.GetType().Name).Should().OnlyContain(n => n == "FakeQuantizedLayer");
        model.named_buffers().Where(b => b.name.EndsWith("activation_min", StringComparison.Ordinal)).Should().HaveCount(5)
            .And.OnlyContain(b => float.IsFinite(b.buffer.ToSingle()), "every observer saw the training batches");
    }

    [Fact]
    public void LayersInConcreteFieldsAreLeftInFloatAndNamed()
    {
        using var model = new AlgorithmRuns.ImageMlp();
        var surgery = new ModelSurgery(model);
        new QuantizationAwareTrainingAlgorithm().Apply(model, surgery);
        surgery.Report.Should().Equal("wrapped 0 convs, 0 linears; left fc1, fc2 in float (held in a field of a concrete layer type: declare it as nn.Module<Tensor, Tensor> to allow the wrapper)");
    }

    [Fact]
    public void FakeQuantizationStartsAfterTheDelayAndObserversFreeze()
    {
        manual_seed(5);
        using var model = new Mlp();
        using var floatModel = new Mlp();
        floatModel.load_state_dict(model.state_dict());
        var (x, y) = TestModels.Data(n: 48);
        var qat = new QuantizationAwareTrainingAlgorithm(new QuantizationAwareTrainingOptions { Start = "2ba", FreezeObservers = "4ba" });
        var seen = new List<(float min, float max)>();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.05),
            TrainData = new TensorTrainingData(x, y, 8, shuffle: false),
            MaxDuration = Duration.Parse("6ba"),
        };
        options.Algorithms.Add(qat);
        Dictionary<string, float[]>? afterTwo = null;
        options.Callbacks.Add(new Observe(state =>
        {
            seen.Add((state.Model.get_buffer("fc1.activation_min")!.ToSingle(), state.Model.get_buffer("fc1.activation_max")!.ToSingle()));
            if (state.Timestamp.Batch == 2) afterTwo = state.Model.named_parameters().ToDictionary(p => p.name.Replace(".module.", ".", StringComparison.Ordinal), p => p.parameter.data<float>().ToArray());
        }));
        var floatOptions = new TrainerOptions
        {
            Model = floatModel,
            Optimizer = p => optim.SGD(p, learningRate: 0.05),
            TrainData = new TensorTrainingData(x, y, 8, shuffle: false),
            MaxDuration = Duration.Parse("2ba"),
        };
        new Trainer(options).Fit();
        new Trainer(floatOptions).Fit();

        seen.Take(2).Should().OnlyContain(r => float.IsPositiveInfinity(r.min), "nothing is observed before Start");
        seen[2].min.Should().BeLessThan(0);
        seen[3].Should().NotBe(seen[2], "the observer moves while it is not frozen");
        seen.Skip(4).Should().OnlyContain(r => r.min == seen[3].min && r.max == seen[3].max, "from batch 4 on the observers are frozen");
        // The first two batches trained in float: identical to a float run of two batches.
        var floatWeights = TestModels.Weights(floatModel);
        afterTwo.Should().NotBeNull();
        afterTwo!.Keys.Should().BeEquivalentTo(floatWeights.Keys);
        foreach (var (name, w) in floatWeights) afterTwo[name].Should().Equal(w, $"{name} after two float batches");
    }

    [Fact]
    public void ATrainedTinyModelsQatEvaluationIsCloseToFloat()
    {
        var (x, y) = TestModels.Data(n: 256, features: 8, seed: 1);
        (double accuracy, double loss, Tensor logits) Train(bool quantized)
        {
            manual_seed(6);
            var model = new Mlp();
            var options = new TrainerOptions
            {
                Model = model,
                Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9),
                TrainData = new TensorTrainingData(x, y, 32, shuffle: true, seed: 2),
                EvalData = new TensorTrainingData(x, y, 256, shuffle: false),
                MaxDuration = Duration.Parse("8ep"),
                Seed = 3,
            };
            if (quantized) options.Algorithms.Add(new QuantizationAwareTrainingAlgorithm(new QuantizationAwareTrainingOptions { FreezeObservers = "0.9dur" }));
            var trainer = new Trainer(options);
            var result = trainer.Fit();
            var metrics = trainer.Evaluate();
            return (metrics["accuracy"], metrics["loss"], trainer.Predict(x).DetachFromDisposeScope());
        }
        var fp = Train(false);
        var q = Train(true);
        fp.accuracy.Should().BeGreaterThan(0.9, "the float model learns the problem");
        q.accuracy.Should().BeGreaterThan(0.9, "the 8-bit model learns it too");
        Math.Abs(q.accuracy - fp.accuracy).Should().BeLessThanOrEqualTo(0.03);
        Math.Abs(q.loss - fp.loss).Should().BeLessThanOrEqualTo(0.1);
    }

    [Fact]
    public void AResumedRunKeepsTheObservedRangesAndEndsIdentically()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "et-qat-" + Guid.NewGuid().ToString("N"));
        var (x, y) = TestModels.Data(n: 64);
        TrainerOptions Make(Mlp model, string? checkpoints)
        {
            var options = new TrainerOptions
            {
                Model = model,
                Optimizer = p => optim.SGD(p, learningRate: 0.05, momentum: 0.9),
                TrainData = new TensorTrainingData(x, y, 16, shuffle: true, seed: 4),
                MaxDuration = Duration.Parse("10ba"),
                Seed = 8,
            };
            options.Algorithms.Add(new QuantizationAwareTrainingAlgorithm(new QuantizationAwareTrainingOptions { Start = "1ba", FreezeObservers = "8ba", WeightScheme = QuantizationScheme.PerTensorAffine }));
            if (checkpoints is not null) options.Checkpoint = new CheckpointOptions { Folder = checkpoints, Interval = Duration.Parse("3ba") };
            return options;
        }
        try
        {
            manual_seed(9);
            using var reference = new Mlp();
            var initial = reference.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
            new Trainer(Make(reference, null)).Fit();

            using var first = new Mlp();
            first.load_state_dict(initial);
            using var cts = new System.Threading.CancellationTokenSource();
            var options = Make(first, folder);
            options.Callbacks.Add(new Observe(state => { if (state.Timestamp.Batch == 5) cts.Cancel(); }));
            new Trainer(options).Fit(cts.Token).Timestamp.Batch.Should().Be(5);

            using var second = new Mlp();
            new Trainer(Make(second, folder)).Fit().Timestamp.Batch.Should().Be(10);
            var expected = reference.state_dict();
            var actual = second.state_dict();
            actual.Keys.Should().BeEquivalentTo(expected.Keys).And.Contain("fc1.activation_max");
            foreach (var (name, t) in expected)
                actual[name].to_type(ScalarType.Float32).data<float>().ToArray().Should().Equal(t.to_type(ScalarType.Float32).data<float>().ToArray(), $"{name} must be identical after resume");
            foreach (var t in initial.Values) t.Dispose();
        }
        finally
        {
            if (System.IO.Directory.Exists(folder)) System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void OptionsReportEveryInvalidProperty()
    {
        var act = () => new QuantizationAwareTrainingAlgorithm(new QuantizationAwareTrainingOptions { WeightBits = 1, ActivationBits = 17, ObserverAveragingConstant = 0, WeightScheme = (QuantizationScheme)9, ExcludeNames = null! });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "QuantizationAwareTrainingOptions is invalid: Property WeightScheme: 9 is invalid; expected PerTensorAffine, PerTensorSymmetric, PerChannelAffine or PerChannelSymmetric. "
            + "Property WeightBits: 1 is invalid; expected a bit width in [2, 16]. "
            + "Property ActivationBits: 17 is invalid; expected a bit width in [2, 16]. "
            + "Property ObserverAveragingConstant: 0 is invalid; expected a value in (0, 1]. "
            + "Property ExcludeNames: null is invalid; expected a value (not null).");
    }

    [Fact]
    public void FunctionalFormsRejectBadInput()
    {
        var act = () => QuantizationAwareTraining.Range(1, signed: true);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("bits").WithMessage("The bit width must be in [2, 16].*");
        var qparams = () => QuantizationAwareTraining.QuantizationParameters(2, 1, 0, 255);
        qparams.Should().Throw<ArgumentException>().WithParameterName("max").WithMessage("The observed max (1) is below the min (2).*");
        var observer = () => new MovingAverageMinMaxObserver(0);
        observer.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("averagingConstant");
    }

    private sealed class Observe : ITrainingCallback
    {
        private readonly Action<TrainingState> _action;
        public Observe(Action<TrainingState> action) => _action = action;
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd) _action(state);
        }
    }
}
