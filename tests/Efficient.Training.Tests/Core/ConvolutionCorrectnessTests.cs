namespace Efficient.Training.Tests.Core;

/// <summary>
/// libtorch 2.10's oneDNN float32 convolutions were measured wrong on an AVX-512 CPU for channel
/// counts that are not multiples of 16 (see <see cref="OneDnnGuard"/>): with the library loaded,
/// convolutions of every width must match a float64 computation.
/// </summary>
public class ConvolutionCorrectnessTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(24)]
    [InlineData(40)]
    [InlineData(64)]
    public void Conv2dMatchesAFloat64Computation(int channels)
    {
        OneDnnGuard.EnsureApplied();
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        var x = randn(new long[] { 4, channels, 12, 12 }, generator: g);
        var w = randn(new long[] { channels, channels, 3, 3 }, generator: g);
        var y = nn.functional.conv2d(x, w, padding: new long[] { 1, 1 }).to(ScalarType.Float64);
        var reference = nn.functional.conv2d(x.to(ScalarType.Float64), w.to(ScalarType.Float64), padding: new long[] { 1, 1 });
        // float32 accumulation over channels×9 products of unit normals: errors of order 1e-5.
        (y - reference).abs().max().item<double>().Should().BeLessThan(1e-3);
    }
}
