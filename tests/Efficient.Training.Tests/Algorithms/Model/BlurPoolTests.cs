using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Model.ModelTestRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

public class BlurPoolTests
{
    [Fact]
    public void Blur2dMatchesPyTorchDepthwiseConv()
    {
        var r = Reference("blur_2d");
        using var scope = NewDisposeScope();
        var x = r.FloatTensor("input", r.Longs("shape"));
        BlurPool.DefaultFilter().Values().ShouldBeClose(r.Floats("filter"), 0, 0);
        var s1 = BlurPool.Blur2d(x);
        s1.shape.Should().Equal(r.Longs("stride1_shape"));
        s1.Values().ShouldBeClose(r.Floats("stride1"), 1e-5, 1e-6);
        var s2 = BlurPool.Blur2d(x, 2);
        s2.shape.Should().Equal(r.Longs("stride2_shape"));
        s2.Values().ShouldBeClose(r.Floats("stride2"), 1e-5, 1e-6);
        // A per-channel filter [C, 1, 3, 3] gives the same result as the shared one.
        BlurPool.Blur2d(x, 2, BlurPool.DefaultFilter().repeat(3, 1, 1, 1)).Values().ShouldBeClose(r.Floats("stride2"), 1e-5, 1e-6);
    }

    [Fact]
    public void BlurMaxPoolMatchesPyTorch()
    {
        var r = Reference("blurmax_pool2d");
        using var scope = NewDisposeScope();
        var x = r.FloatTensor("input", r.Longs("shape"));
        var a = BlurPool.BlurMaxPool2d(x, new long[] { 2, 2 });
        a.shape.Should().Equal(r.Longs("k2s2_shape"));
        a.Values().ShouldBeClose(r.Floats("k2s2"), 1e-5, 1e-6);
        var b = BlurPool.BlurMaxPool2d(x, new long[] { 3, 3 }, new long[] { 2, 2 }, new long[] { 1, 1 });
        b.shape.Should().Equal(r.Longs("k3s2p1_shape"));
        b.Values().ShouldBeClose(r.Floats("k3s2p1"), 1e-5, 1e-6);
        // The module form does the same.
        var module = new BlurMaxPool2d(nn.MaxPool2d(2));
        module.call(x).Values().ShouldBeClose(r.Floats("k2s2"), 1e-5, 1e-6);
    }

    [Theory]
    [InlineData(true, "blur_first")]
    [InlineData(false, "blur_after")]
    public void BlurConvMatchesPyTorch(bool blurFirst, string key)
    {
        var r = Reference("blur_conv2d");
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(4, 5, 3, stride: 2, padding: 1);
        using (no_grad())
        {
            conv.weight.copy_(r.FloatTensor("weight", 5, 4, 3, 3));
            conv.bias!.copy_(r.FloatTensor("bias", 5));
        }
        var x = r.FloatTensor("input", 2, 4, 9, 9);
        conv.call(x).Values().ShouldBeClose(r.Floats("plain"), 1e-5, 1e-5);
        var weight = conv.weight;
        var blur = new BlurConv2d(conv, blurFirst);
        blur.Conv.Should().BeSameAs(conv, "the convolution is moved into the wrapper, not copied");
        conv.weight.Should().BeSameAs(weight);
        var y = blur.call(x);
        y.shape.Should().Equal(r.Longs($"{key}_shape"));
        y.Values().ShouldBeClose(r.Floats(key), 1e-5, 1e-5);
    }

    [Fact]
    public void DeltaFilterReplacementKeepsTheOutputsSoTheWiringIsExact()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var delta = tensor(new float[] { 0, 0, 0, 0, 1, 0, 0, 0, 0 }, new long[] { 1, 1, 3, 3 });
        var conv = nn.Conv2d(4, 6, 3, stride: 2, padding: 1);
        var x = randn(2, 4, 8, 8);
        var expected = conv.call(x).Values();
        new BlurConv2d(conv, blurFirst: true, filter: delta).call(x).Values().ShouldBeClose(expected, 1e-6, 1e-6);

        var pool = nn.MaxPool2d(2);
        var pooled = pool.call(x).Values();
        new BlurMaxPool2d(pool, delta).call(x).Values().ShouldBeClose(pooled, 0, 0);
    }

    [Fact]
    public void SurgeryReplacesStridedConvsAndMaxPoolsAndKeepsParameters()
    {
        using var model = new StridedNet();
        var before = ModuleNames(model);
        before.Should().Equal("conv1:Conv2d", "down:Conv2d", "pool:MaxPool2d", "conv2:Conv2d", "head:Linear");
        var parameters = model.parameters().ToList();

        var surgery = new ModelSurgery(model);
        surgery.CurrentAlgorithm = "BlurPool";
        new BlurPoolAlgorithm().Apply(model, surgery);

        surgery.Report.Should().Equal("BlurPool: replaced 1 strided conv, 1 max-pool");
        ModuleNames(model).Should().Equal("conv1:Conv2d", "down:BlurConv2d", "pool:BlurMaxPool2d", "conv2:Conv2d", "head:Linear", "down.conv:Conv2d");
        model.parameters().Should().Equal(parameters, (a, b) => ReferenceEquals(a, b), "the convolutions are moved, so the optimizer's parameters stay the same objects");
        model.state_dict().Keys.Should().Contain("down.conv.weight").And.NotContain(k => k.Contains("blur_filter"));

        // Applying again changes nothing.
        BlurPool.Apply(model).Should().Be((0, 0));
    }

    [Fact]
    public void OptionsSelectWhatIsReplaced()
    {
        using var model = new StridedNet(channels: 8);
        BlurPool.Apply(model).Should().Be((0, 1), "the stride-2 conv has 8 < 16 input channels");
        using var other = new StridedNet();
        BlurPool.Apply(other, new BlurPoolOptions { ReplaceConvs = false, ReplaceMaxPools = false }).Should().Be((0, 0));
        using var third = new StridedNet(channels: 8);
        BlurPool.Apply(third, new BlurPoolOptions { MinChannels = 8, BlurFirst = false, ReplaceMaxPools = false }).Should().Be((1, 0));
    }

    [Fact]
    public void ReplacedZeroWhenNothingQualifies()
    {
        using var mlp = new Core.TestModels.Mlp();
        var surgery = new ModelSurgery(mlp) { CurrentAlgorithm = "BlurPool" };
        new BlurPoolAlgorithm().Apply(mlp, surgery);
        surgery.Report.Should().Equal("BlurPool: replaced 0 strided convs, 0 max-pools");
    }

    [Fact]
    public void ResNetTrainsWithBlurPoolAndReportsTheSurgery()
    {
        var (x, y) = Images(8, 8);
        using var model = SmallResNet();
        var options = Options(model, x, y, max: "2ba");
        options.Algorithms.Add(new BlurPoolAlgorithm());
        var result = new Trainer(options).Fit();
        result.SurgeryReport.Should().Equal("BlurPool: replaced 4 strided convs, 0 max-pools");
        ModuleNames(model).Where(n => n.EndsWith(":BlurConv2d")).Should().Equal(
            "layers.1.residual.0:BlurConv2d", "layers.1.shortcut.0:BlurConv2d", "layers.2.residual.0:BlurConv2d", "layers.2.shortcut.0:BlurConv2d");
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());
    }

    [Fact]
    public void BadInputsAndOptionsAreNamed()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => BlurPool.Blur2d(ones(3, 4, 4))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("input");
        FluentActions.Invoking(() => BlurPool.Blur2d(ones(1, 2, 4, 4), 0)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("stride");
        FluentActions.Invoking(() => BlurPool.Blur2d(ones(1, 2, 4, 4), 1, ones(1, 1, 2, 2))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("filter");
        new BlurPoolOptions().Should().BeEquivalentTo(new { ReplaceConvs = true, ReplaceMaxPools = true, BlurFirst = true, MinChannels = 16L });
        FluentActions.Invoking(() => new BlurPoolAlgorithm(new BlurPoolOptions { MinChannels = -1 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("BlurPoolOptions is invalid: Property MinChannels: -1 is invalid; expected a channel count >= 0.");
    }
}
