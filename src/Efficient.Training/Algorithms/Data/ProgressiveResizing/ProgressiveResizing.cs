using System;

namespace Efficient.Training.Algorithms;

/// <summary>How <see cref="ProgressiveResizing"/> shrinks images.</summary>
public enum ResizeMode
{
    /// <summary>Down-sampling of the whole image (Composer <c>"resize"</c>; nearest-neighbour as Composer, or bilinear: <see cref="ResizeInterpolation"/>).</summary>
    Resize,

    /// <summary>A random crop, the same offset for the whole batch (Composer <c>"crop"</c>).</summary>
    Crop,
}

/// <summary>How <see cref="ResizeMode.Resize"/> interpolates.</summary>
public enum ResizeInterpolation
{
    /// <summary>Nearest neighbour, as Composer's <c>_make_resize</c> (<c>F.interpolate(mode='nearest')</c>).</summary>
    Nearest,

    /// <summary>Bilinear (<c>align_corners=false</c>, no antialiasing): smoother images, a little more compute.</summary>
    Bilinear,
}

/// <summary>
/// Progressive resizing (fast.ai; Composer): trains on smaller images early, growing them linearly
/// to full size, then fine-tunes at full size. As in Composer, targets are left alone unless asked
/// (<c>resizeTargets</c>); then dense targets (with the input's spatial size) are resized with
/// nearest-neighbour interpolation, or cropped alike.
/// </summary>
public static class ProgressiveResizing
{
    /// <summary>
    /// The scale at <paramref name="progress"/> (in [0, 1]): <paramref name="initialScale"/> until
    /// <paramref name="delayFraction"/>, then linear growth reaching 1 at
    /// <c>1 - finetuneFraction</c>, then 1.
    /// </summary>
    public static double ScaleFactor(double progress, double initialScale = 0.5, double delayFraction = 0.5, double finetuneFraction = 0.2)
    {
        var span = 1 - finetuneFraction - delayFraction;
        double elapsed = progress < delayFraction ? 0 : span <= 0 ? 1 : Math.Min((progress - delayFraction) / span, 1.0);
        return initialScale + (1 - initialScale) * elapsed;
    }

    /// <summary>
    /// The output size for <paramref name="scale"/>, as Composer computes it: the width is rounded to a
    /// multiple of <paramref name="sizeIncrement"/> (half to even, at least one increment), that
    /// pinned ratio <c>w' / w</c> scales both sides, truncated as <c>F.interpolate(scale_factor=...,
    /// recompute_scale_factor=True)</c> does (32×28 at 0.5 → 18×16), and a scale ≥ 1 keeps the size.
    /// </summary>
    public static (long height, long width) TargetSize(long height, long width, double scale, long sizeIncrement = 4)
    {
        if (sizeIncrement < 1) throw new ArgumentOutOfRangeException(nameof(sizeIncrement), sizeIncrement, "The size increment must be at least 1.");
        var pinnedW = Math.Max(1, (long)Math.Round(width * scale / sizeIncrement, MidpointRounding.ToEven)) * sizeIncrement;
        var pinned = (double)pinnedW / width;
        if (pinned >= 1) return (height, width);
        return (Math.Max(1, (long)Math.Floor(height * pinned)), Math.Max(1, (long)Math.Floor(width * pinned)));
    }

    /// <summary>
    /// Resizes a batch of images <c>[B, C, H, W]</c> to <paramref name="height"/> × <paramref name="width"/>
    /// with <paramref name="interpolation"/> (nearest by default, as Composer; bilinear with
    /// <c>align_corners=false</c>, no antialiasing).
    /// </summary>
    public static Tensor Resize(Tensor input, long height, long width, ResizeInterpolation interpolation = ResizeInterpolation.Nearest)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4) throw new ArgumentException($"ProgressiveResizing expects images [B, C, H, W] (got [{string.Join(", ", input.shape)}]).", nameof(input));
        return interpolation == ResizeInterpolation.Bilinear
            ? nn.functional.interpolate(input, size: new[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false)
            : nn.functional.interpolate(input, size: new[] { height, width }, mode: InterpolationMode.Nearest);
    }

    /// <summary>Resizes a dense target <c>[B, H, W]</c> or <c>[B, C, H, W]</c> with nearest-neighbour interpolation, keeping its dtype.</summary>
    public static Tensor ResizeTarget(Tensor target, long height, long width)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var scope = NewDisposeScope();
        var four = target.dim() == 3 ? target.unsqueeze(1) : target;
        var floating = four.dtype is ScalarType.Float32 or ScalarType.Float64 ? four : four.to_type(ScalarType.Float32);
        var resized = nn.functional.interpolate(floating, size: new[] { height, width }, mode: InterpolationMode.Nearest);
        if (resized.dtype != target.dtype) resized = resized.to_type(target.dtype);
        if (target.dim() == 3) resized = resized.squeeze(1);
        return resized.MoveToOuterDisposeScope();
    }

    /// <summary>Crops <c>[..., H, W]</c> to <paramref name="height"/> × <paramref name="width"/> starting at (<paramref name="top"/>, <paramref name="left"/>).</summary>
    public static Tensor Crop(Tensor input, long top, long left, long height, long width)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (top < 0 || top + height > input.shape[^2]) throw new ArgumentOutOfRangeException(nameof(top), top, $"The crop rows [{top}, {top + height}) must lie in [0, {input.shape[^2]}).");
        if (left < 0 || left + width > input.shape[^1]) throw new ArgumentOutOfRangeException(nameof(left), left, $"The crop columns [{left}, {left + width}) must lie in [0, {input.shape[^1]}).");
        return input.narrow(input.dim() - 2, top, height).narrow(input.dim() - 1, left, width);
    }

    /// <summary>
    /// Shrinks a batch to <paramref name="height"/> × <paramref name="width"/> (resize with
    /// <paramref name="interpolation"/>, or a crop whose offset is drawn from <paramref name="generator"/>).
    /// With <paramref name="resizeTargets"/> (Composer's <c>resize_targets</c>, default false) a target
    /// with the input's spatial size is resized (nearest) or cropped identically; other targets, and
    /// every target without it, are unchanged.
    /// </summary>
    public static Batch Apply(Batch batch, long height, long width, ResizeMode mode = ResizeMode.Resize, Generator? generator = null, ResizeInterpolation interpolation = ResizeInterpolation.Nearest, bool resizeTargets = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var input = batch.Input;
        if (input.dim() != 4) throw new ArgumentException($"ProgressiveResizing expects images [B, C, H, W] (got [{string.Join(", ", input.shape)}]).", nameof(batch));
        long h = input.shape[2], w = input.shape[3];
        if (height == h && width == w) return batch;
        if (height < 1 || height > h) throw new ArgumentOutOfRangeException(nameof(height), height, $"The new height must be in [1, {h}].");
        if (width < 1 || width > w) throw new ArgumentOutOfRangeException(nameof(width), width, $"The new width must be in [1, {w}].");
        var target = batch.Target;
        var dense = resizeTargets && target.dim() >= 3 && target.shape[^2] == h && target.shape[^1] == w;
        if (mode == ResizeMode.Crop)
        {
            long top, left;
            using (var offsets = randint(0, h - height + 1, new long[] { 1 }, generator: generator)) top = offsets.ToInt64();
            using (var offsets = randint(0, w - width + 1, new long[] { 1 }, generator: generator)) left = offsets.ToInt64();
            return batch.With(input: Crop(input, top, left, height, width), target: dense ? Crop(target, top, left, height, width) : null);
        }
        return batch.With(input: Resize(input, height, width, interpolation), target: dense ? ResizeTarget(target, height, width) : null);
    }
}
