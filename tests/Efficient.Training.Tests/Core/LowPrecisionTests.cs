using System.Collections.Generic;
using TorchSharp.Modules;
using Efficient.Training.Models;
using Efficient.Training.Tests.Algorithms;

namespace Efficient.Training.Tests.Core;

public class LowPrecisionTests
{
    /// <summary>One bfloat16 unit in the last place, relative (2^-7): the rounding of one bf16 result.</summary>
    private const double OneBFloat16Ulp = 1.0 / 128;

    private sealed class TwoLinears : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fixedType;                 // a sealed field type: cannot be replaced
        private readonly nn.Module<Tensor, Tensor> fc;     // a base field type: lowered

        public TwoLinears(Linear first, Linear second) : base(nameof(TwoLinears))
        {
            fixedType = first;
            fc = second;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => fc.call(fixedType.call(input).relu());
    }

    private static Tensor Bf16Rounded(Tensor t) => t.to(ScalarType.BFloat16).to(ScalarType.Float64);

    [Fact]
    public void TheContextIsScopedNestedAndFollowsTheAsyncFlow()
    {
        LowPrecision.IsEnabled.Should().BeFalse();
        LowPrecision.Dtype.Should().BeNull();
        using (LowPrecision.Enable())
        {
            LowPrecision.Dtype.Should().Be(ScalarType.BFloat16);
            using (LowPrecision.Disable()) LowPrecision.IsEnabled.Should().BeFalse();
            LowPrecision.IsEnabled.Should().BeTrue("disposing the inner scope restores the outer one");
            ScalarType? seenByThread = null;
            var thread = new System.Threading.Thread(() => seenByThread = LowPrecision.Dtype);
            thread.Start();
            thread.Join();
            seenByThread.Should().Be(ScalarType.BFloat16, "threads started inside inherit the context");
            LowPrecision.Cast(ones(2)).dtype.Should().Be(ScalarType.BFloat16);
            LowPrecision.Cast(ones(2, ScalarType.Float64)).dtype.Should().Be(ScalarType.Float64, "float64 is left alone, as autocast does");
            LowPrecision.Cast(ones(2, ScalarType.Int64)).dtype.Should().Be(ScalarType.Int64);
        }
        LowPrecision.IsEnabled.Should().BeFalse();
        LowPrecision.Cast(ones(2)).dtype.Should().Be(ScalarType.Float32);
        FluentActions.Invoking(() => LowPrecision.Enable(ScalarType.Float32)).Should().Throw<ArgumentException>()
            .WithMessage("LowPrecision.Enable: dtype Float32 is not a low precision; expected ScalarType.BFloat16 or ScalarType.Float16.*")
            .Which.ParamName.Should().Be("dtype");
    }

    [Fact]
    public void LoweredLinearComputesInBFloat16AsTheReferenceAndGradientsReachFloat32Weights()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        var first = nn.Linear(5, 6);
        var second = nn.Linear(6, 3);
        using var model = new TwoLinears(first, second);
        var before = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        LowPrecision.Apply(model).Should().Be(1, "only the base-typed field can take the lowered layer");
        LowPrecision.Apply(model).Should().Be(1, "applying twice changes nothing more");
        model.named_parameters().Select(p => (p.name, p.parameter)).Should().Equal(before, (a, b) => a.name == b.name && ReferenceEquals(a.parameter, b.parameter));

        var x = randn(new long[] { 4, 5 }, generator: g);
        var float32 = model.call(x);
        float32.dtype.Should().Be(ScalarType.Float32, "outside the context the model computes as before");
        float32.Values().Should().Equal(second.call(first.call(x).relu()).Values());

        Tensor y;
        using (LowPrecision.Enable(ScalarType.BFloat16)) y = model.call(x);
        y.dtype.Should().Be(ScalarType.BFloat16);
        // Reference in float64: the unreplaceable first layer in float32, then the lowered one on bf16-rounded
        // input, weight and bias; the bf16 result is within one bf16 rounding of it.
        var h = first.call(x).relu().detach();
        var reference = nn.functional.linear(Bf16Rounded(h), Bf16Rounded(second.weight), Bf16Rounded(second.bias!));
        y.to(ScalarType.Float32).Values().ShouldBeClose(reference.to(ScalarType.Float32).Values(), OneBFloat16Ulp, 1e-6);

        y.to(ScalarType.Float32).sum().backward();
        foreach (var (name, p) in model.named_parameters())
        {
            p.dtype.Should().Be(ScalarType.Float32, name);
            p.grad.Should().NotBeNull(name);
            p.grad!.dtype.Should().Be(ScalarType.Float32, $"{name} gets a float32 gradient through the casts");
        }
        // d(sum y)/dW[o, i] = Σ_n h[n, i] (in bf16) and d/db[o] = batch size.
        var expectedWeightGrad = Bf16Rounded(h).sum(new long[] { 0 }).unsqueeze(0).expand(3, 6);
        second.weight.grad!.Values().ShouldBeClose(expectedWeightGrad.to(ScalarType.Float32).Values(), OneBFloat16Ulp, 1e-6);
        second.bias!.grad!.Values().Should().Equal(4f, 4f, 4f);
    }

    [Fact]
    public void LoweredConvolutionMatchesTheFloat32ConvolutionWithinBFloat16Rounding()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        foreach (var conv in new nn.Module<Tensor, Tensor>[] { nn.Conv2d(16, 16, 3, padding: 1), nn.Conv2d(16, 16, 3, Padding.Same, padding_mode: PaddingModes.Reflect), nn.Conv2d(3, 8, 3, stride: 2) })
        {
            var lowered = LowPrecisionSurgery.Replacement(conv)!;
            var x = randn(new long[] { 2, conv is Conv2d c ? c.in_channels : 3, 6, 6 }, generator: g);
            var expected = conv.call(x);
            ((nn.Module<Tensor, Tensor>)lowered).call(x).Values().Should().Equal(expected.Values(), "outside the context it is the same convolution");
            Tensor y;
            using (LowPrecision.Enable()) y = ((nn.Module<Tensor, Tensor>)lowered).call(x);
            // Per output: a 16·9-term dot product of bf16-rounded values; allow a few bf16 roundings of the largest output.
            var tolerance = 4 * OneBFloat16Ulp * expected.abs().max().ToDouble();
            y.to(ScalarType.Float32).Values().ShouldBeClose(expected.Values(), 0, tolerance);
        }
    }

    [Fact]
    public void BertAndResNetTrainUnderBf16WithFloat32Weights()
    {
        manual_seed(7);
        var bertOptions = new BertEncoderOptions { VocabSize = 20, HiddenSize = 16, Heads = 2, Layers = 1, IntermediateSize = 32, MaxLength = 8 };
        using var bert = new BertEncoder(bertOptions);
        var ids = randint(0, 20, new long[] { 8, 6 });
        var bertRun = new TrainerOptions
        {
            Model = bert,
            Optimizer = p => optim.AdamW(p, 1e-3),
            TrainData = new TensorTrainingData(ids, ids, 4, shuffle: false),
            MaxDuration = Duration.Parse("2ba"),
            Precision = Precision.Bf16Autocast,
        };
        var seen = new List<ScalarType>();
        bertRun.Callbacks.Add(new OutputDtype(seen));
        new Trainer(bertRun).Fit().Timestamp.Batch.Should().Be(2);
        seen.Should().OnlyContain(t => t == ScalarType.BFloat16, "the tied decoder computes in bf16");
        bert.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float32 && p.isfinite().all().item<bool>());
        bert.named_modules().Count(m => m.module.GetType().Name == "LowPrecisionLinear").Should().Be(5, "qkv, output, intermediate, output and the head's transform");

        using var resnet = new ResNet(inChannels: 1, classes: 3, width: 16);
        var images = randn(8, 1, 8, 8);
        var labels = randint(0, 3, new long[] { 8 });
        var resnetRun = new TrainerOptions
        {
            Model = resnet,
            Optimizer = p => optim.SGD(p, 0.05),
            TrainData = new TensorTrainingData(images, labels, 4, shuffle: false),
            MaxDuration = Duration.Parse("2ba"),
            Precision = Precision.Bf16Autocast,
        };
        new Trainer(resnetRun).Fit().Timestamp.Batch.Should().Be(2);
        resnet.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float32 && p.isfinite().all().item<bool>());
        resnet.named_modules().Count(m => m.module.GetType().Name == "LowPrecisionConvolution").Should().BeGreaterThan(5);
    }

    private sealed class OutputDtype : ITrainingCallback
    {
        private readonly List<ScalarType> _seen;
        public OutputDtype(List<ScalarType> seen) => _seen = seen;
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.AfterForward) _seen.Add(state.Outputs!.dtype);
        }
    }
}
