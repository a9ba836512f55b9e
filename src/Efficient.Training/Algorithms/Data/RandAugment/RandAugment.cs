using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>The operations RandAugment (and AugMix) choose from.</summary>
public enum AugmentationOp
{
    /// <summary>Stretches each channel of each image to the full [0, 1] range.</summary>
    AutoContrast = 0,
    /// <summary>Keeps the top bits of each 8-bit pixel value.</summary>
    Posterize = 1,
    /// <summary>Rotates about the image center (zeros outside).</summary>
    Rotate = 2,
    /// <summary>Inverts the pixels at or above a threshold.</summary>
    Solarize = 3,
    /// <summary>Horizontal shear.</summary>
    ShearX = 4,
    /// <summary>Vertical shear.</summary>
    ShearY = 5,
    /// <summary>Horizontal translation in pixels.</summary>
    TranslateX = 6,
    /// <summary>Vertical translation in pixels.</summary>
    TranslateY = 7,
    /// <summary>Blends with the grayscale image (saturation).</summary>
    Color = 8,
    /// <summary>Blends with the mean gray level.</summary>
    Contrast = 9,
    /// <summary>Blends with black.</summary>
    Brightness = 10,
    /// <summary>Blends with a smoothed image (PIL's SMOOTH kernel, border pixels kept).</summary>
    Sharpness = 11,
    /// <summary>Histogram equalization of each channel on 8-bit levels (PIL's <c>ImageOps.equalize</c>).</summary>
    Equalize = 12,
}

/// <summary>Which operations the random augmentations draw from (Composer's <c>augmentation_set</c>).</summary>
public enum AugmentationSet
{
    /// <summary>All the operations of <see cref="AugmentationOp"/>.</summary>
    All = 0,
    /// <summary>All but Color, Contrast, Brightness and Sharpness (they overlap ImageNet-C corruptions); Equalize is kept, as in Composer.</summary>
    Safe = 1,
}

/// <summary>
/// RandAugment (Cubuk et al., 2020) on batches of float images <c>[N, C, H, W]</c> with values in
/// [0, 1]: every image gets <c>depth</c> operations drawn uniformly from the augmentation set, each
/// at a random level in [0.1, severity] (Composer's sampling). Batched: each operation runs once over
/// the batch and is kept, per image, where it was drawn. Geometric operations use
/// <c>affine_grid</c>/<c>grid_sample</c> (bilinear, zeros outside); color operations that PIL defines on 8-bit
/// levels (Posterize, Equalize) work on <c>floor(255 x)</c> and return level / 255.
/// </summary>
public static class RandAugment
{
    /// <summary>The operations of <paramref name="set"/>.</summary>
    public static IReadOnlyList<AugmentationOp> Ops(AugmentationSet set) => set switch
    {
        AugmentationSet.All => Enum.GetValues<AugmentationOp>(),
        AugmentationSet.Safe => Enum.GetValues<AugmentationOp>().Where(o => o < AugmentationOp.Color || o == AugmentationOp.Equalize).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, "Unknown augmentation set."),
    };

    /// <summary>
    /// Applies <paramref name="depth"/> random operations of <paramref name="set"/> to every image,
    /// at levels drawn in [0.1, <paramref name="severity"/>] from <paramref name="generator"/>
    /// (libtorch's default generator when null).
    /// </summary>
    public static Tensor Augment(Tensor images, int depth = 2, double severity = 9, Generator? generator = null, AugmentationSet set = AugmentationSet.All)
    {
        ArgumentNullException.ThrowIfNull(images);
        CheckImages(images);
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "The depth must be at least 1.");
        if (!(severity >= 0 && severity <= 10)) throw new ArgumentOutOfRangeException(nameof(severity), severity, "The severity must be in [0, 10].");
        var ops = Ops(set);
        using var scope = NewDisposeScope();
        var x = images;
        for (var d = 0; d < depth; d++) x = RandomStep(x, ops, severity, generator, active: null);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One random operation of <paramref name="ops"/> per image (where <paramref name="active"/>, a
    /// <c>[N]</c> bool tensor, is true; all images when null) at a level drawn in [0.1, <paramref name="severity"/>].
    /// </summary>
    internal static Tensor RandomStep(Tensor x, IReadOnlyList<AugmentationOp> ops, double severity, Generator? generator, Tensor? active)
    {
        using var scope = NewDisposeScope();
        var n = x.shape[0];
        var choice = randint(0, ops.Count, new[] { n }, dtype: ScalarType.Int64, generator: generator);
        var level = SampleLevel(n, severity, generator);
        var sign = rand(new[] { n }, generator: generator).lt(0.5).to_type(ScalarType.Float32) * 2 - 1;
        var next = x;
        for (var k = 0; k < ops.Count; k++)
        {
            var mask = choice.eq(k);
            if (active is not null) mask = mask & active;
            if (!mask.any().ToBoolean()) continue;
            var y = ApplyAtLevel(ops[k], x, level, sign);
            next = where(mask.view(n, 1, 1, 1), y, next);
        }
        return (ReferenceEquals(next, x) ? x.clone() : next).MoveToOuterDisposeScope();
    }

    /// <summary>Composer's <c>sample_level</c>: uniform in [0.1, <paramref name="severity"/>], one per image.</summary>
    internal static Tensor SampleLevel(long n, double severity, Generator? generator)
        => rand(new[] { n }, generator: generator) * (severity - 0.1) + 0.1;

    /// <summary>
    /// Applies <paramref name="op"/> at the per-image <paramref name="level"/> (<c>[N]</c>, in [0, 10])
    /// with Composer's magnitude mapping; <paramref name="sign"/> (<c>[N]</c>, ±1) orients geometric ops.
    /// </summary>
    public static Tensor ApplyAtLevel(AugmentationOp op, Tensor images, Tensor level, Tensor sign)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(level);
        ArgumentNullException.ThrowIfNull(sign);
        using var scope = NewDisposeScope();
        long h = images.shape[^2], w = images.shape[^1];
        var lv = level.to_type(ScalarType.Float32);
        var sg = sign.to_type(ScalarType.Float32);
        var result = op switch
        {
            AugmentationOp.AutoContrast => AutoContrast(images),
            AugmentationOp.Posterize => Posterize(images, 4 - (lv * 4 / 10).floor()),
            AugmentationOp.Rotate => Rotate(images, (lv * 30 / 10).floor() * sg),
            AugmentationOp.Solarize => Solarize(images, (256 - (lv * 256 / 10).floor()) / 255),
            AugmentationOp.ShearX => ShearX(images, lv * 0.3 / 10 * sg),
            AugmentationOp.ShearY => ShearY(images, lv * 0.3 / 10 * sg),
            AugmentationOp.TranslateX => TranslateX(images, (lv * (w / 3.0) / 10).floor() * sg),
            AugmentationOp.TranslateY => TranslateY(images, (lv * (h / 3.0) / 10).floor() * sg),
            AugmentationOp.Color => Color(images, lv * 1.8 / 10 + 0.1),
            AugmentationOp.Contrast => Contrast(images, lv * 1.8 / 10 + 0.1),
            AugmentationOp.Brightness => Brightness(images, lv * 1.8 / 10 + 0.1),
            AugmentationOp.Sharpness => Sharpness(images, lv * 1.8 / 10 + 0.1),
            AugmentationOp.Equalize => Equalize(images),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown augmentation operation."),
        };
        return result.MoveToOuterDisposeScope();
    }

    // ---- color operations -------------------------------------------------------------------

    /// <summary>Per image and channel, maps [min, max] to [0, 1] (constant channels unchanged).</summary>
    public static Tensor AutoContrast(Tensor images)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var flat = images.flatten(2);
        var lo = flat.min(2, keepdim: true).values.unsqueeze(-1);
        var hi = flat.max(2, keepdim: true).values.unsqueeze(-1);
        var range = hi - lo;
        var stretched = (images - lo) / where(range.gt(0), range, ones_like(range));
        return where(range.gt(0), stretched, images).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Keeps the top <paramref name="bits"/> (<c>[N]</c>, 0 to 8) bits of <c>floor(255 x)</c>, scaled back by 1/255.</summary>
    public static Tensor Posterize(Tensor images, Tensor bits)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var b = PerImage(bits, images);
        var step = full_like(b, 2.0).pow(8 - b);
        var q = (images.clamp(0, 1) * 255).floor();
        return ((q / step).floor() * step / 255).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Histogram equalization of each channel of each image, as PIL's <c>ImageOps.equalize</c> (and
    /// torchvision's <c>F.equalize</c>) on the 8-bit levels <c>q = floor(255 x)</c>: with <c>h</c> the
    /// channel's 256-bin histogram, <c>step = (Σh − h[last non-zero bin]) // 255</c> and
    /// <c>lut[i] = min(255, (Σ_{j&lt;i} h[j] + step // 2) // step)</c>; the result is <c>lut[q] / 255</c>
    /// (<c>q / 255</c> for a channel with <c>step = 0</c>, e.g. a constant one). Batched: one histogram per
    /// (image, channel) with <c>scatter_add</c>, no per-image loop.
    /// </summary>
    public static Tensor Equalize(Tensor images)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        long n = images.shape[0], c = images.shape[1];
        var q = (images.detach().clamp(0, 1) * 255).floor().to_type(ScalarType.Int64).reshape(n * c, -1);
        var hist = zeros(new long[] { n * c, 256 }, dtype: ScalarType.Float64).scatter_add(1, q, ones(q.shape, dtype: ScalarType.Float64));
        var bins = arange(256, dtype: ScalarType.Float64).unsqueeze(0);
        var lastBin = where(hist.gt(0), bins, zeros_like(bins)).max(1, keepdim: true).values.to_type(ScalarType.Int64);
        var last = hist.gather(1, lastBin);
        var step = ((hist.sum(new long[] { 1 }, keepdim: true) - last) / 255).floor();
        var safeStep = where(step.gt(0), step, ones_like(step));
        var before = hist.cumsum(1) - hist; // Σ_{j<i} h[j]
        var lut = ((before + (step / 2).floor()) / safeStep).floor().clamp(0, 255);
        lut = where(step.gt(0), lut, bins.expand(n * c, 256));
        var result = lut.gather(1, q).reshape(images.shape).to_type(images.dtype) / 255;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Inverts (<c>1 - x</c>) the values at or above <paramref name="threshold"/> (<c>[N]</c>).</summary>
    public static Tensor Solarize(Tensor images, Tensor threshold)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        return where(images.ge(PerImage(threshold, images)), 1 - images, images).MoveToOuterDisposeScope();
    }

    /// <summary>Blends with the grayscale image: <c>gray + factor (x - gray)</c>, clamped to [0, 1].</summary>
    public static Tensor Color(Tensor images, Tensor factor)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        return Blend(Grayscale(images), images, factor).MoveToOuterDisposeScope();
    }

    /// <summary>Blends with the image's mean gray level: <c>m + factor (x - m)</c>, clamped to [0, 1].</summary>
    public static Tensor Contrast(Tensor images, Tensor factor)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var mean = Grayscale(images).mean(new long[] { 1, 2, 3 }, keepdim: true);
        return Blend(mean, images, factor).MoveToOuterDisposeScope();
    }

    /// <summary>Scales by <paramref name="factor"/> (<c>[N]</c>), clamped to [0, 1].</summary>
    public static Tensor Brightness(Tensor images, Tensor factor)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        return Blend(zeros_like(images), images, factor).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Blends with the image smoothed by PIL's SMOOTH kernel (<c>[[1,1,1],[1,5,1],[1,1,1]] / 13</c>,
    /// border pixels unchanged): <c>s + factor (x - s)</c>, clamped to [0, 1].
    /// </summary>
    public static Tensor Sharpness(Tensor images, Tensor factor)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        long c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var kernel = (tensor(new float[] { 1, 1, 1, 1, 5, 1, 1, 1, 1 }) / 13).to_type(images.dtype).view(1, 1, 3, 3).expand(c, 1, 3, 3).contiguous();
        var smooth = images;
        if (h > 2 && w > 2)
        {
            var inner = torch.nn.functional.conv2d(images, kernel, groups: c);
            smooth = torch.nn.functional.pad(inner, new long[] { 1, 1, 1, 1 });
            var border = ones(new long[] { h - 2, w - 2 }, dtype: ScalarType.Bool);
            border = ~torch.nn.functional.pad(border.to_type(ScalarType.Float32), new long[] { 1, 1, 1, 1 }).to_type(ScalarType.Bool);
            smooth = where(border, images, smooth);
        }
        return Blend(smooth, images, factor).MoveToOuterDisposeScope();
    }

    // ---- geometric operations -----------------------------------------------------------------

    /// <summary>Rotates by <paramref name="degrees"/> (<c>[N]</c>, counter-clockwise) about the center; zeros outside.</summary>
    public static Tensor Rotate(Tensor images, Tensor degrees)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        double h = images.shape[2], w = images.shape[3];
        var rad = degrees.to_type(ScalarType.Float32) * (Math.PI / 180);
        var (cos, sin) = (rad.cos(), rad.sin());
        var zero = zeros_like(cos);
        // Output pixel (x, y) (y down) reads the input at the point rotated by -θ on screen, so the content turns counter-clockwise as PIL's rotate.
        var theta = stack(new[] { cos, -sin * (h / w), zero, sin * (w / h), cos, zero }, 1).view(-1, 2, 3);
        return Warp(images, theta).MoveToOuterDisposeScope();
    }

    /// <summary>Output pixel (x, y) reads the input at (x + s·y, y), s = <paramref name="shear"/> (<c>[N]</c>); zeros outside.</summary>
    public static Tensor ShearX(Tensor images, Tensor shear)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        double h = images.shape[2], w = images.shape[3];
        var s = shear.to_type(ScalarType.Float32);
        var (one, zero) = (ones_like(s), zeros_like(s));
        var theta = stack(new[] { one, s * (h / w), zero, zero, one, zero }, 1).view(-1, 2, 3);
        return Warp(images, theta).MoveToOuterDisposeScope();
    }

    /// <summary>Output pixel (x, y) reads the input at (x, y + s·x), s = <paramref name="shear"/> (<c>[N]</c>); zeros outside.</summary>
    public static Tensor ShearY(Tensor images, Tensor shear)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        double h = images.shape[2], w = images.shape[3];
        var s = shear.to_type(ScalarType.Float32);
        var (one, zero) = (ones_like(s), zeros_like(s));
        var theta = stack(new[] { one, zero, zero, s * (w / h), one, zero }, 1).view(-1, 2, 3);
        return Warp(images, theta).MoveToOuterDisposeScope();
    }

    /// <summary>Output pixel (x, y) reads the input at (x + t, y), t = <paramref name="pixels"/> (<c>[N]</c>); zeros outside.</summary>
    public static Tensor TranslateX(Tensor images, Tensor pixels)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        double w = images.shape[3];
        var t = pixels.to_type(ScalarType.Float32);
        var (one, zero) = (ones_like(t), zeros_like(t));
        var theta = stack(new[] { one, zero, t * (2 / w), zero, one, zero }, 1).view(-1, 2, 3);
        return Warp(images, theta).MoveToOuterDisposeScope();
    }

    /// <summary>Output pixel (x, y) reads the input at (x, y + t), t = <paramref name="pixels"/> (<c>[N]</c>); zeros outside.</summary>
    public static Tensor TranslateY(Tensor images, Tensor pixels)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        double h = images.shape[2];
        var t = pixels.to_type(ScalarType.Float32);
        var (one, zero) = (ones_like(t), zeros_like(t));
        var theta = stack(new[] { one, zero, zero, zero, one, t * (2 / h) }, 1).view(-1, 2, 3);
        return Warp(images, theta).MoveToOuterDisposeScope();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static Tensor Warp(Tensor images, Tensor theta)
    {
        var grid = torch.nn.functional.affine_grid(theta.to_type(images.dtype), images.shape, align_corners: false);
        return torch.nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
    }

    private static Tensor Grayscale(Tensor images)
    {
        if (images.shape[1] != 3) return images.mean(new long[] { 1 }, keepdim: true);
        var r = images.narrow(1, 0, 1);
        var g = images.narrow(1, 1, 1);
        var b = images.narrow(1, 2, 1);
        return r * 0.299 + g * 0.587 + b * 0.114;
    }

    private static Tensor Blend(Tensor baseline, Tensor images, Tensor factor)
        => (baseline + PerImage(factor, images) * (images - baseline)).clamp(0, 1);

    private static Tensor PerImage(Tensor values, Tensor images)
        => values.to_type(images.dtype).view(-1, 1, 1, 1);

    private static void CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4) throw new ArgumentException($"Expected a batch of images [N, C, H, W] (got [{string.Join(", ", images.shape)}]).", nameof(images));
    }
}
