using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class ProgressiveResizingTests
{
    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(0.5, 0.5)]
    [InlineData(0.65, 0.75)]
    [InlineData(0.8, 1.0)]
    [InlineData(1.0, 1.0)]
    public void TheScaleIsFlatThenLinearThenFull(double progress, double scale)
        => ProgressiveResizing.ScaleFactor(progress).Should().BeApproximately(scale, 1e-12);

    [Theory]
    [InlineData(32, 32, 0.5, 16, 16)]
    [InlineData(32, 32, 0.75, 24, 24)]
    [InlineData(28, 32, 0.5, 14, 16)]   // the width's ratio 16/32 scales both sides
    [InlineData(32, 28, 0.5, 18, 16)]   // Composer: w 14 → 3.5 increments → 4 (half to even) → 16; ratio 16/28; h = floor(32·16/28) = 18
    [InlineData(16, 16, 0.6666666666666666, 12, 12)]
    [InlineData(16, 16, 1.0, 16, 16)]
    [InlineData(8, 8, 0.1, 4, 4)]       // at least one increment
    public void SizesArePinnedToTheIncrement(long h, long w, double scale, long eh, long ew)
        => ProgressiveResizing.TargetSize(h, w, scale, 4).Should().Be((eh, ew));

    [Fact]
    public void BilinearHalvingAveragesTwoByTwoBlocks()
    {
        using var input = arange(32, dtype: ScalarType.Float32).reshape(2, 1, 4, 4);
        using var result = ProgressiveResizing.Resize(input, 2, 2, ResizeInterpolation.Bilinear);
        // align_corners=false at scale 2 samples between pixels 2i and 2i+1: the block means.
        Floats(result).Should().Equal(2.5f, 4.5f, 10.5f, 12.5f, 18.5f, 20.5f, 26.5f, 28.5f);
    }

    [Fact]
    public void TheDefaultResizeIsComposersNearestWithTheWidthPinned()
    {
        // generate_techniques_data.py re-implements Composer's resize_batch on a 32×28 image.
        var shape = Shape(Reference("composer_input_shape"));
        using var image = Formula(shape, 0.23);
        using var mask = arange(shape[0] * shape[2] * shape[3], dtype: ScalarType.Int64).reshape(shape[0], shape[2], shape[3]);
        var (h, w) = ProgressiveResizing.TargetSize(shape[2], shape[3], Reference("composer_scale").GetDouble());
        new[] { h, w }.Should().Equal(Shape(Reference("composer_resized_shape"))[2..]);
        var plain = ProgressiveResizing.Apply(new Batch(image, mask), h, w);
        Floats(plain.Input).Select(v => (double)v).Should().Equal(Doubles(Reference("composer_resized")), (a, b) => Math.Abs(a - b) < 1e-6);
        plain.Target.Should().BeSameAs(mask, "Composer leaves targets alone unless resize_targets");
        var withTargets = ProgressiveResizing.Apply(new Batch(image, mask), h, w, resizeTargets: true);
        Longs(withTargets.Target).Should().Equal(Shape(Reference("composer_resized_target")));
    }

    [Fact]
    public void ResizeMatchesPyTorchBilinearAndNearest()
    {
        using var image = Formula(Shape(Reference("resize_input_shape")));
        var size = Shape(Reference("resize_size"));
        using var mask = arange(2 * 7 * 9, dtype: ScalarType.Int64).reshape(2, 7, 9);
        var result = ProgressiveResizing.Apply(new Batch(image, mask), size[0], size[1], interpolation: ResizeInterpolation.Bilinear, resizeTargets: true);
        Floats(result.Input).Select(v => (double)v).Should().Equal(Doubles(Reference("resize_bilinear")), (a, b) => Math.Abs(a - b) < 1e-5);
        Longs(result.Target).Should().Equal(Shape(Reference("resize_nearest_target")));
    }

    [Fact]
    public void DenseTargetsAreResizedWithNearestAndKeepTheirDtype()
    {
        using var input = rand(1, 3, 4, 4);
        using var mask = arange(16, dtype: ScalarType.Int64).reshape(1, 4, 4);
        ProgressiveResizing.Apply(new Batch(input, mask), 2, 2).Target.Should().BeSameAs(mask, "targets are resized only when asked");
        var result = ProgressiveResizing.Apply(new Batch(input, mask), 2, 2, resizeTargets: true);
        result.Target.dtype.Should().Be(ScalarType.Int64);
        Longs(result.Target).Should().Equal(0, 2, 8, 10);
        using var labels = tensor(new long[] { 2 });
        ProgressiveResizing.Apply(new Batch(input, labels), 2, 2, resizeTargets: true).Target.Should().BeSameAs(labels);
    }

    [Fact]
    public void CropTakesTheSameWindowFromInputAndTargetDeterministically()
    {
        using var input = arange(2 * 36, dtype: ScalarType.Float32).reshape(2, 1, 6, 6);
        using var mask = arange(2 * 36, dtype: ScalarType.Int64).reshape(2, 6, 6);
        using var g1 = new Generator(4);
        using var g2 = new Generator(4);
        var a = ProgressiveResizing.Apply(new Batch(input, mask), 4, 4, ResizeMode.Crop, g1, resizeTargets: true);
        var b = ProgressiveResizing.Apply(new Batch(input, mask), 4, 4, ResizeMode.Crop, g2, resizeTargets: true);
        a.Input.shape.Should().Equal(2, 1, 4, 4);
        Floats(a.Input).Should().Equal(Floats(b.Input));
        Longs(a.Target).Should().Equal(Floats(a.Input).Select(v => (long)v));
        var top = (long)Floats(a.Input)[0] / 6;
        var left = (long)Floats(a.Input)[0] % 6;
        Floats(a.Input).Should().Equal(Floats(ProgressiveResizing.Crop(input, top, left, 4, 4)));
    }

    [Fact]
    public void InsideATenBatchRunTheSizeFollowsTheSchedule()
    {
        var (x, y) = Images(20, 16);
        using var model = new PoolNet();
        var batches = Run(model, x, y, new ProgressiveResizingAlgorithm(new ProgressiveResizingOptions()), batchSize: 2, max: "10ba");
        // progress b/10: 0..0.5 -> 0.5 (8 px); 0.6 -> 2/3 (12); 0.7 -> 5/6 (13.3 -> 12); 0.8 and after -> 16.
        batches.Select(b => b.input.shape[2]).Should().Equal(8, 8, 8, 8, 8, 8, 12, 12, 16, 16);
        batches.Select(b => b.input.shape[3]).Should().Equal(8, 8, 8, 8, 8, 8, 12, 12, 16, 16);
        using var expected = ProgressiveResizing.Resize(x.narrow(0, 0, 2), 8, 8);
        Floats(batches[0].input).Should().Equal(Floats(expected));
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new ProgressiveResizingOptions().Validate();
        var act = () => new ProgressiveResizingAlgorithm(new ProgressiveResizingOptions { InitialScale = 0, DelayFraction = 0.9, FinetuneFraction = 0.2, SizeIncrement = 0 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "ProgressiveResizingOptions is invalid: Property InitialScale: 0 is invalid; expected a value in (0, 1]. " +
            "Property FinetuneFraction: 0.2 is invalid; expected DelayFraction + FinetuneFraction <= 1 (DelayFraction is 0.9). " +
            "Property SizeIncrement: 0 is invalid; expected an integer >= 1.");
    }
}
