using System;

namespace Efficient.Training.Algorithms;

/// <summary>A rectangle in the last two (height, width) dimensions of an image batch.</summary>
/// <param name="Top">First row.</param>
/// <param name="Left">First column.</param>
/// <param name="Height">Number of rows (may be 0).</param>
/// <param name="Width">Number of columns (may be 0).</param>
public readonly record struct CutMixBox(long Top, long Left, long Height, long Width);

/// <summary>
/// CutMix (Yun et al., 2019): pastes a random box from another sample of the batch into each
/// image; the loss is interpolated by the share of the image each sample keeps.
/// </summary>
public static class CutMix
{
    /// <summary>
    /// Draws a box as Composer and the paper do: side ratio <c>√(1 − λ)</c>, centre uniform over the
    /// image, clipped to the image (so the real area can be smaller than 1 − λ).
    /// </summary>
    public static CutMixBox RandomBox(long height, long width, double lambda, Generator? generator = null)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "The height must be at least 1.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be at least 1.");
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be in [0, 1].");
        var ratio = Math.Sqrt(1 - lambda);
        var cutH = (long)(height * ratio);
        var cutW = (long)(width * ratio);
        var cy = MixingSampler.Integer(height, generator);
        var cx = MixingSampler.Integer(width, generator);
        var top = Math.Clamp(cy - cutH / 2, 0, height);
        var bottom = Math.Clamp(cy + cutH / 2, 0, height);
        var left = Math.Clamp(cx - cutW / 2, 0, width);
        var right = Math.Clamp(cx + cutW / 2, 0, width);
        return new CutMixBox(top, left, bottom - top, right - left);
    }

    /// <summary>
    /// Pastes <paramref name="box"/> of <c>input[permutation]</c> into <paramref name="input"/> (a copy)
    /// and returns λ = 1 − box area / image area, the share of the original samples.
    /// </summary>
    /// <param name="input">Images <c>[N, ..., H, W]</c> (at least 3-D).</param>
    /// <param name="target">The targets (any type); dimension 0 is the batch.</param>
    /// <param name="box">The box, inside the image.</param>
    /// <param name="permutation">An int64 permutation of the batch indices.</param>
    public static MixedBatch CutMixBatch(Tensor input, Tensor target, CutMixBox box, Tensor permutation)
    {
        MixingSampler.CheckArguments(input, target, 0, permutation);
        if (input.dim() < 3) throw new ArgumentException($"CutMix needs images with at least 3 dimensions [N, ..., H, W] (got {input.dim()}).", nameof(input));
        long h = input.shape[^2], w = input.shape[^1];
        if (box.Top < 0 || box.Left < 0 || box.Height < 0 || box.Width < 0 || box.Top + box.Height > h || box.Left + box.Width > w)
            throw new ArgumentOutOfRangeException(nameof(box), box, $"The box must lie inside the {h}x{w} image.");
        var mixed = input.clone();
        if (box.Height > 0 && box.Width > 0)
        {
            long hd = input.dim() - 2, wd = input.dim() - 1;
            using var source = input.index_select(0, permutation);
            using var region = source.narrow(hd, box.Top, box.Height).narrow(wd, box.Left, box.Width);
            using var destination = mixed.narrow(hd, box.Top, box.Height).narrow(wd, box.Left, box.Width);
            destination.copy_(region);
        }
        var lambda = 1 - (double)(box.Height * box.Width) / (h * w);
        return new MixedBatch(mixed, target, target.index_select(0, permutation), lambda, permutation);
    }

    /// <summary>Like <see cref="CutMixBatch(Tensor, Tensor, CutMixBox, Tensor)"/>, drawing λ ~ Beta(α, α), the box and the permutation from <paramref name="generator"/>.</summary>
    public static MixedBatch CutMixBatch(Tensor input, Tensor target, double alpha, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() < 3) throw new ArgumentException($"CutMix needs images with at least 3 dimensions [N, ..., H, W] (got {input.dim()}).", nameof(input));
        var lambda = MixUp.SampleLambda(alpha, generator);
        var permutation = randperm(input.shape[0], generator: generator);
        var box = RandomBox(input.shape[^2], input.shape[^1], lambda, generator);
        return CutMixBatch(input, target, box, permutation);
    }
}
