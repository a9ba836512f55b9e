using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

/// <summary>How <c>functional.grid_sample</c> reads the input at a sampling point.</summary>
public enum GridSampleMode
{
    /// <summary>The nearest input pixel.</summary>
    Nearest = 0,
    /// <summary>Bilinear interpolation of the four neighbouring pixels.</summary>
    Bilinear = 1,
}

/// <summary>What <c>functional.grid_sample</c> reads at sampling points outside the input.</summary>
public enum GridSamplePaddingMode
{
    /// <summary>Zeros.</summary>
    Zeros = 0,
    /// <summary>The nearest border value.</summary>
    Border = 1,
    /// <summary>The input reflected at the border.</summary>
    Reflection = 2,
}

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>
            /// The 2-D sampling grid <c>[N, H, W, 2]</c> of the affine maps <paramref name="theta"/>
            /// (<c>[N, 2, 3]</c>) for an output of <paramref name="size"/> <c>[N, C, H, W]</c>.
            /// </summary>
            /// <param name="theta">The affine matrices, <c>[N, 2, 3]</c>.</param>
            /// <param name="size">The target output size <c>[N, C, H, W]</c>.</param>
            /// <param name="align_corners">Whether -1 and 1 are the centers of the corner pixels (true) or their outer edges (false).</param>
            public static unsafe Tensor affine_grid(Tensor theta, long[]? size = null, bool align_corners = false)
            {
                ArgumentNullException.ThrowIfNull(theta);
                if (size is null || size.Length != 4)
                    throw new ArgumentException("affine_grid: size must be the 4 values [N, C, H, W] (2-D grids only).", nameof(size));
                fixed (long* ps = size)
                    return Tensor.Wrap(Native.ets_affine_grid(theta.HandleChecked, ps, size.Length, align_corners ? 1 : 0));
            }

            /// <summary>
            /// Samples <paramref name="input"/> (<c>[N, C, H, W]</c>) at the normalized points of
            /// <paramref name="grid"/> (<c>[N, Ho, Wo, 2]</c>, x then y in [-1, 1]); the result is <c>[N, C, Ho, Wo]</c>.
            /// </summary>
            /// <param name="input">The input images.</param>
            /// <param name="grid">The sampling points.</param>
            /// <param name="mode">Bilinear or nearest sampling.</param>
            /// <param name="padding_mode">The value read outside the input.</param>
            /// <param name="align_corners">As in <see cref="affine_grid"/>; null means false.</param>
            public static Tensor grid_sample(Tensor input, Tensor grid, GridSampleMode mode = GridSampleMode.Bilinear, GridSamplePaddingMode padding_mode = GridSamplePaddingMode.Zeros, bool? align_corners = null)
            {
                ArgumentNullException.ThrowIfNull(input);
                ArgumentNullException.ThrowIfNull(grid);
                long m = mode switch
                {
                    GridSampleMode.Bilinear => 0,
                    GridSampleMode.Nearest => 1,
                    _ => throw new ArgumentException($"grid_sample: mode is {mode}; expected Bilinear or Nearest.", nameof(mode)),
                };
                long p = padding_mode switch
                {
                    GridSamplePaddingMode.Zeros => 0,
                    GridSamplePaddingMode.Border => 1,
                    GridSamplePaddingMode.Reflection => 2,
                    _ => throw new ArgumentException($"grid_sample: padding_mode is {padding_mode}; expected Zeros, Border or Reflection.", nameof(padding_mode)),
                };
                return Tensor.Wrap(Native.ets_grid_sample(input.HandleChecked, grid.HandleChecked, m, p, align_corners == true ? 1 : 0));
            }
        }
    }
}
