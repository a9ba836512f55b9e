namespace Efficient.Torch.Tests.NN;

/// <summary>fake_quantize_per_tensor_affine / fake_quantize_per_channel_affine against PyTorch 1.13 (Reference/quantization.json).</summary>
public class QuantizationTests
{
    [Theory]
    [InlineData("quint8")]
    [InlineData("qint8")]
    [InlineData("qint4")]
    public void PerTensorForwardAndStraightThroughGradientMatchPyTorch(string name)
    {
        var c = Ref.Case("quantization.json", $"per_tensor_{name}");
        using var input = c.Leaf("input");
        using var gout = c.T("gout");
        using var output = torch.fake_quantize_per_tensor_affine(input, c.D("scale"), c.L("zero_point"), c.L("quant_min"), c.L("quant_max"));
        c.Check(output, "out", rtol: 0, atol: 0);
        using var loss = (output * gout).sum();
        loss.backward();
        c.Check(input.grad!, "ginput", rtol: 0, atol: 0);
    }

    [Fact]
    public void PerTensorWithTensorParametersEqualsTheScalarForm()
    {
        var c = Ref.Case("quantization.json", "per_tensor_quint8");
        using var input = c.T("input");
        using var scale = torch.tensor(new[] { (float)c.D("scale") });
        using var zeroPoint = torch.tensor(new[] { (int)c.L("zero_point") });
        using var output = torch.fake_quantize_per_tensor_affine(input, scale, zeroPoint, c.L("quant_min"), c.L("quant_max"));
        c.Check(output, "out", rtol: 0, atol: 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void PerChannelForwardAndStraightThroughGradientMatchPyTorch(int axis)
    {
        var c = Ref.Case("quantization.json", $"per_channel_axis{axis}");
        using var input = c.Leaf("input");
        using var gout = c.T("gout");
        using var scale = c.T("scale");
        using var zeroPoint = torch.tensor(c.Longs("zero_point").Select(v => (int)v).ToArray());
        using var output = torch.fake_quantize_per_channel_affine(input, scale, zeroPoint, axis, c.L("quant_min"), c.L("quant_max"));
        c.Check(output, "out", rtol: 0, atol: 0);
        using var loss = (output * gout).sum();
        loss.backward();
        c.Check(input.grad!, "ginput", rtol: 0, atol: 0);
    }

    [Fact]
    public void InvalidArgumentsThrowClearExceptions()
    {
        using var x = torch.ones(3);
        var act = () => torch.fake_quantize_per_tensor_affine(x, 0.0, 0, 0, 255);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("scale").WithMessage("*scale must be a finite value > 0*");
        act = () => torch.fake_quantize_per_tensor_affine(x, 0.1, 300, 0, 255);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("zero_point").WithMessage("*[quant_min, quant_max] = [0, 255]*");
        act = () => torch.fake_quantize_per_tensor_affine(x, 0.1, 0, 10, 5);
        act.Should().Throw<ArgumentException>().WithMessage("*quant_min (10) must not exceed quant_max (5)*");
        using var scale = torch.ones(2);
        using var zp = torch.zeros(new long[] { 2 }, dtype: ScalarType.Int32);
        act = () => torch.fake_quantize_per_channel_affine(x, scale, zp, 0, -128, 127);
        act.Should().Throw<Exception>().WithMessage("*fake_quantize_per_channel_affine*");
    }
}
