using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// CutOut (DeVries &amp; Taylor, 2017): zeroes square holes in each image of a batch. One batched
/// tensor operation: the holes of all samples are drawn as centers and turned into a mask by
/// broadcast comparisons, then multiplied into the input.
/// </summary>
public static class CutOut
{
    /// <summary>
    /// The hole side in pixels for <paramref name="length"/>: a value in (0, 1) is a fraction of the
    /// shorter image side (truncated), a value ≥ 1 is a pixel count (truncated).
    /// </summary>
    public static long HoleLength(double length, long height, long width)
    {
        if (!(length > 0) || double.IsInfinity(length)) throw new ArgumentOutOfRangeException(nameof(length), length, "The hole length must be a finite value > 0.");
        return length < 1 ? (long)(Math.Min(height, width) * length) : (long)length;
    }

    /// <summary>
    /// Zeroes, in every sample <c>b</c> and hole <c>k</c>, the pixels with
    /// <c>centersY[b,k] - length/2 ≤ y &lt; centersY[b,k] + length/2</c> and the same for x
    /// (integer halves, clipped to the image, as in Composer). <paramref name="input"/> is
    /// <c>[B, ..., H, W]</c> (usually <c>[B, C, H, W]</c>); the centers are <c>[B, K]</c> integer tensors.
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor centersY, Tensor centersX, long length)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(centersY);
        ArgumentNullException.ThrowIfNull(centersX);
        if (input.dim() < 3) throw new ArgumentException($"CutOut expects a batch of images [B, ..., H, W] (got [{string.Join(", ", input.shape)}]).", nameof(input));
        if (centersY.dim() != 2 || centersY.shape[0] != input.shape[0] || !centersY.shape.SequenceEqual(centersX.shape))
            throw new ArgumentException($"The centers must both be [B, K] with B = {input.shape[0]} (got [{string.Join(", ", centersY.shape)}] and [{string.Join(", ", centersX.shape)}]).", nameof(centersY));
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "The hole length must be >= 0.");
        using var scope = NewDisposeScope();
        long h = input.shape[^2], w = input.shape[^1], half = length / 2;
        var cy = centersY.to_type(ScalarType.Int64).unsqueeze(-1).unsqueeze(-1);   // [B, K, 1, 1]
        var cx = centersX.to_type(ScalarType.Int64).unsqueeze(-1).unsqueeze(-1);
        var ys = arange(h, dtype: ScalarType.Int64, device: input.device).view(1, 1, h, 1);
        var xs = arange(w, dtype: ScalarType.Int64, device: input.device).view(1, 1, 1, w);
        var inHole = ys.ge(cy - half) & ys.lt(cy + half) & xs.ge(cx - half) & xs.lt(cx + half); // [B, K, H, W]
        var keep = (~inHole.any(1)).to_type(input.dtype);                                        // [B, H, W]
        var shape = new long[input.dim()];
        Array.Fill(shape, 1L);
        shape[0] = input.shape[0];
        shape[^2] = h;
        shape[^1] = w;
        return (input * keep.view(shape)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Cuts <paramref name="numHoles"/> holes of side <see cref="HoleLength"/>(<paramref name="length"/>)
    /// per sample, centers drawn uniformly over the image from <paramref name="generator"/>
    /// (libtorch's default generator when null).
    /// </summary>
    public static Tensor Apply(Tensor input, int numHoles = 1, double length = 0.5, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (numHoles < 1) throw new ArgumentOutOfRangeException(nameof(numHoles), numHoles, "The number of holes must be at least 1.");
        if (input.dim() < 3) throw new ArgumentException($"CutOut expects a batch of images [B, ..., H, W] (got [{string.Join(", ", input.shape)}]).", nameof(input));
        long h = input.shape[^2], w = input.shape[^1];
        var side = HoleLength(length, h, w);
        using var scope = NewDisposeScope();
        var cy = randint(0, h, new[] { input.shape[0], numHoles }, dtype: ScalarType.Int64, generator: generator);
        var cx = randint(0, w, new[] { input.shape[0], numHoles }, dtype: ScalarType.Int64, generator: generator);
        return Apply(input, cy, cx, side).MoveToOuterDisposeScope();
    }
}
