using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Model.ModelReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public class LowPrecisionNormTests
{
    /// <summary>
    /// One bfloat16 unit in the last place, relative (2^-7). The reference is PyTorch 1.13's bf16
    /// norm; libtorch 2.10 accumulates bf16 norms in float32 and rounds once, so a few elements land
    /// on the neighbouring bfloat16 value (e.g. 0.19042969 vs 0.18945312).
    /// </summary>
    private const double OneBFloat16Ulp = 1.0 / 128;

    /// <summary>
    /// Absolute tolerance for a bfloat16 norm against PyTorch 1.13's: two bfloat16 steps at the scale of
    /// the largest output. The affine step (x̂·w + b) rounds each term to bfloat16 in one version and
    /// only the sum in the other, so an output that is the small difference of two larger terms
    /// carries the rounding error of those terms (e.g. 0.0850 vs 0.0786 next to outputs near 1).
    /// </summary>
    private static double AtOutputScale(float[] reference) => 2 * OneBFloat16Ulp * reference.Max(v => Math.Abs(v));

    private static (LayerNorm Original, LPLayerNorm LowPrecision) LayerNorms()
    {
        var r = Section("lp_layer_norm");
        var ln = nn.LayerNorm(6);
        Set(ln.weight, r.T("weight"));
        Set(ln.bias!, r.T("bias"));
        return (ln, new LPLayerNorm(ln));
    }

    private static (GroupNorm Original, LPGroupNorm LowPrecision) GroupNorms()
    {
        var r = Section("lp_group_norm");
        var gn = nn.GroupNorm(2, 4);
        Set(gn.weight!, r.T("weight"));
        Set(gn.bias!, r.T("bias"));
        return (gn, new LPGroupNorm(gn));
    }

    [Fact]
    public void LayerNormInFloat32IsIdenticalToTheOriginal()
    {
        using var scope = NewDisposeScope();
        var r = Section("lp_layer_norm");
        var (ln, lp) = LayerNorms();
        var x = r.T("x");
        var y = lp.call(x);
        y.dtype.Should().Be(ScalarType.Float32);
        y.Values().Should().Equal(ln.call(x).Values());
        y.Values().ShouldBeClose(r.Floats("y_fp32"), 1e-5, 1e-5);
        lp.named_parameters().Select(p => p.name).Should().Equal("weight", "bias");
    }

    [Fact]
    public void LayerNormUnderLowPrecisionRunsInBFloat16AsPyTorch()
    {
        using var scope = NewDisposeScope();
        var r = Section("lp_layer_norm");
        var (ln, lp) = LayerNorms();
        var x = r.T("x");
        Tensor y, plain;
        using (LowPrecision.Enable(ScalarType.BFloat16))
        {
            y = lp.call(x);
            plain = ln.call(x);
            LowPrecision.IsEnabled.Should().BeTrue("the layer leaves the context on");
        }
        LowPrecision.IsEnabled.Should().BeFalse("disposing the scope turns the context off");
        y.dtype.Should().Be(ScalarType.BFloat16);
        plain.dtype.Should().Be(ScalarType.Float32, "the context alone keeps LayerNorm in float32");
        y.to(ScalarType.Float32).Values().ShouldBeClose(r.Floats("y_bf16"), OneBFloat16Ulp, AtOutputScale(r.Floats("y_bf16")));
        y.to(ScalarType.Float32).sum().backward();
        ln.weight.grad!.dtype.Should().Be(ScalarType.Float32, "gradients reach the float32 parameters");
    }

    [Fact]
    public void GroupNormIsIdenticalInFloat32AndRunsInBFloat16UnderLowPrecision()
    {
        using var scope = NewDisposeScope();
        var r = Section("lp_group_norm");
        var (gn, lp) = GroupNorms();
        var x = r.T("x");
        lp.call(x).Values().Should().Equal(gn.call(x).Values());
        lp.call(x).Values().ShouldBeClose(r.Floats("y_fp32"), 1e-5, 1e-5);
        Tensor y;
        using (LowPrecision.Enable(ScalarType.BFloat16)) y = lp.call(x);
        y.dtype.Should().Be(ScalarType.BFloat16);
        y.to(ScalarType.Float32).Values().ShouldBeClose(r.Floats("y_bf16"), OneBFloat16Ulp, AtOutputScale(r.Floats("y_bf16")));
    }

    [Fact]
    public void BadInputNamesTheExpectedShape()
    {
        using var scope = NewDisposeScope();
        var (_, ln) = LayerNorms();
        var (_, gn) = GroupNorms();
        FluentActions.Invoking(() => ln.call(ones(2, 5))).Should().Throw<ArgumentException>()
            .WithMessage("LPLayerNorm: the input has shape [2, 5]; expected it to end with [6].*");
        FluentActions.Invoking(() => gn.call(ones(2, 3, 2))).Should().Throw<ArgumentException>()
            .WithMessage("LPGroupNorm: the input has shape [2, 3, 2]; expected [N, 4, ...].*");
    }

    [Fact]
    public void ApplyReplacesEveryNormAndKeepsTheParameters()
    {
        using var model = new ModelNets.ConvNet();
        var before = model.parameters().ToList();
        LowPrecisionLayerNorm.Apply(model).Should().Be(1);
        LowPrecisionGroupNorm.Apply(model).Should().Be(1);
        LowPrecisionLayerNorm.Apply(model).Should().Be(0, "already replaced");
        model.parameters().Should().Equal(before, (a, b) => ReferenceEquals(a, b));
        model.named_children().Select(c => c.module.GetType().Name).Should().Contain("LPLayerNorm").And.Contain("LPGroupNorm");
    }

    [Fact]
    public void AlgorithmsReportAndTrain()
    {
        manual_seed(1);
        using var model = new ModelNets.ConvNet();
        var options = ModelNets.TwoBatches(model, new LowPrecisionLayerNormAlgorithm(), new LowPrecisionGroupNormAlgorithm());
        var result = new Trainer(options).Fit();
        result.SurgeryReport.Should().Equal("LowPrecisionLayerNorm: replaced 1 LayerNorm", "LowPrecisionGroupNorm: replaced 1 GroupNorm");
        model.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float32 && p.isfinite().all().item<bool>());
        FluentActions.Invoking(() => new LowPrecisionLayerNormOptions().Validate()).Should().NotThrow();
        FluentActions.Invoking(() => new LowPrecisionGroupNormOptions().Validate()).Should().NotThrow();
    }
}
