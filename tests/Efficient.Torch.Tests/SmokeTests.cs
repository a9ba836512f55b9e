namespace Efficient.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void AddsTwoTensors()
    {
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = tensor(new float[] { 10, 20, 30 });
        using var c = a + b;
        c.data<float>().ToArray().Should().Equal(11, 22, 33);
        c.shape.Should().Equal(3);
        c.dtype.Should().Be(ScalarType.Float32);
    }
}
