namespace Efficient.Torch.Tests;

public class AutocastTests
{
    [Fact]
    public void LinearRunsInBFloat16InsideAutocastAndGradientsStayFloat32()
    {
        using var scope = NewDisposeScope();
        var x = randn(4, 8);
        var w = randn(3, 8).requires_grad_();
        Autocast.IsEnabled().Should().BeFalse();
        Tensor y;
        using (Autocast.Enable(DeviceType.CPU, ScalarType.BFloat16))
        {
            Autocast.IsEnabled().Should().BeTrue();
            y = nn.functional.linear(x, w);
            (x + 1).dtype.Should().Be(ScalarType.Float32, "element-wise ops are not autocast");
        }
        Autocast.IsEnabled().Should().BeFalse();
        y.dtype.Should().Be(ScalarType.BFloat16);
        y.@float().sum().backward();
        w.grad!.dtype.Should().Be(ScalarType.Float32);
        // bf16 keeps ~3 significant digits: compare with the float32 result loosely.
        using var exact = nn.functional.linear(x, w.detach());
        y.@float().allclose(exact, rtol: 2e-2, atol: 5e-2).Should().BeTrue();
    }

    [Fact]
    public void DisableTurnsAutocastOffInsideAndGetDtypeReportsThePrecision()
    {
        using var scope = NewDisposeScope();
        var x = randn(4, 8);
        var w = randn(3, 8);
        Autocast.GetDtype().Should().Be(ScalarType.BFloat16, "the CPU default");
        using (Autocast.Enable(DeviceType.CPU, ScalarType.BFloat16))
        {
            Autocast.GetDtype().Should().Be(ScalarType.BFloat16);
            Autocast.IsEnabled().Should().BeTrue("reading the precision leaves autocast on");
            using (Autocast.Disable())
            {
                Autocast.IsEnabled().Should().BeFalse();
                nn.functional.linear(x, w).dtype.Should().Be(ScalarType.Float32);
            }
            Autocast.IsEnabled().Should().BeTrue("disposing restores the previous setting");
            nn.functional.linear(x, w).dtype.Should().Be(ScalarType.BFloat16);
        }
        Autocast.IsEnabled().Should().BeFalse();
        FluentActions.Invoking(() => Autocast.Disable(DeviceType.XLA)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("device");
    }

    [Fact]
    public void RejectsUnsupportedArguments()
    {
        var act = () => Autocast.Enable(DeviceType.CPU, ScalarType.Float64);
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("bfloat16 or float16, not Float64");
    }
}
