namespace Efficient.Torch.Tests.NN;

public class VisionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AffineGridMatchesPyTorch(bool alignCorners)
    {
        var c = Ref.Case("vision.json", $"affine_grid_ac{(alignCorners ? 1 : 0)}");
        using var theta = c.T("theta");
        using var grid = torch.nn.functional.affine_grid(theta, new long[] { 2, 2, 3, 4 }, alignCorners);
        Ref.AssertClose(grid, c["out"], "affine_grid");
    }

    [Theory]
    [InlineData(GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, false)]
    [InlineData(GridSampleMode.Bilinear, GridSamplePaddingMode.Border, false)]
    [InlineData(GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, false)]
    [InlineData(GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, false)]
    [InlineData(GridSampleMode.Nearest, GridSamplePaddingMode.Border, false)]
    [InlineData(GridSampleMode.Nearest, GridSamplePaddingMode.Reflection, false)]
    [InlineData(GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, true)]
    [InlineData(GridSampleMode.Bilinear, GridSamplePaddingMode.Border, true)]
    [InlineData(GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, true)]
    [InlineData(GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, true)]
    [InlineData(GridSampleMode.Nearest, GridSamplePaddingMode.Border, true)]
    [InlineData(GridSampleMode.Nearest, GridSamplePaddingMode.Reflection, true)]
    public void GridSampleForwardAndInputGradientMatchPyTorch(GridSampleMode mode, GridSamplePaddingMode padding, bool alignCorners)
    {
        var c = Ref.Case("vision.json", $"grid_sample_{mode.ToString().ToLowerInvariant()}_{padding.ToString().ToLowerInvariant()}_ac{(alignCorners ? 1 : 0)}");
        using var input = c.Leaf("input");
        using var grid = c.T("grid");
        using var gout = c.T("gout");
        using var output = torch.nn.functional.grid_sample(input, grid, mode, padding, alignCorners);
        Ref.AssertClose(output, c["out"], "grid_sample");
        using var loss = (output * gout).sum();
        loss.backward();
        Ref.AssertClose(input.grad!, c["ginput"], "grid_sample input gradient");
    }

    [Fact]
    public void AffineGridNeedsAFourValueSize()
    {
        using var theta = torch.zeros(1, 2, 3);
        var act = () => torch.nn.functional.affine_grid(theta, new long[] { 1, 2 });
        act.Should().Throw<ArgumentException>().WithMessage("affine_grid: size must be the 4 values [N, C, H, W] (2-D grids only).*");
    }
}
