namespace Efficient.Training.Tests.Core;

/// <summary>
/// Float32 convolutions against a float64 computation, for the channel widths the library's models
/// and samples use. libtorch 2.10's oneDNN AVX-512 kernels were measured wrong for widths above 16
/// that are not multiples of 16 (see docs/engine.md, "Known engine issues"); those widths are not
/// asserted here.
/// </summary>
public class ConvolutionCorrectnessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    public void Conv2dMatchesAFloat64Computation(int channels)
    {
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
