using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Batch normalisation over [N, C] or [N, C, L] input (weight 1, bias 0, running mean 0 and variance 1).</summary>
        /// <param name="num_features">C, the number of channels.</param>
        /// <param name="eps">Added to the variance for numerical stability.</param>
        /// <param name="momentum">The running-statistics update factor, in [0, 1].</param>
        /// <param name="affine">Whether to learn a per-channel weight and bias.</param>
        /// <param name="track_running_stats">Whether to keep running statistics for evaluation mode.</param>
        /// <param name="device">Where the parameters and buffers live.</param>
        /// <param name="dtype">Their floating-point type.</param>
        public static BatchNorm1d BatchNorm1d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null)
            => new(num_features, eps, momentum, affine, track_running_stats, device, dtype);

        /// <summary>Batch normalisation over [N, C, H, W] input (weight 1, bias 0, running mean 0 and variance 1).</summary>
        /// <param name="num_features">C, the number of channels.</param>
        /// <param name="eps">Added to the variance for numerical stability.</param>
        /// <param name="momentum">The running-statistics update factor, in [0, 1].</param>
        /// <param name="affine">Whether to learn a per-channel weight and bias.</param>
        /// <param name="track_running_stats">Whether to keep running statistics for evaluation mode.</param>
        /// <param name="device">Where the parameters and buffers live.</param>
        /// <param name="dtype">Their floating-point type.</param>
        public static BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null)
            => new(num_features, eps, momentum, affine, track_running_stats, device, dtype);

        /// <summary>Batch normalisation over [N, C, D, H, W] input (weight 1, bias 0, running mean 0 and variance 1).</summary>
        /// <param name="num_features">C, the number of channels.</param>
        /// <param name="eps">Added to the variance for numerical stability.</param>
        /// <param name="momentum">The running-statistics update factor, in [0, 1].</param>
        /// <param name="affine">Whether to learn a per-channel weight and bias.</param>
        /// <param name="track_running_stats">Whether to keep running statistics for evaluation mode.</param>
        /// <param name="device">Where the parameters and buffers live.</param>
        /// <param name="dtype">Their floating-point type.</param>
        public static BatchNorm3d BatchNorm3d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null)
            => new(num_features, eps, momentum, affine, track_running_stats, device, dtype);

        /// <summary>Group normalisation of [N, C, ...] input over C / num_groups channels at a time.</summary>
        /// <param name="num_groups">The number of groups (divides num_channels).</param>
        /// <param name="num_channels">C, the number of channels.</param>
        /// <param name="eps">Added to the variance for numerical stability.</param>
        /// <param name="affine">Whether to learn a per-channel weight (1) and bias (0).</param>
        /// <param name="device">Where the parameters live.</param>
        /// <param name="dtype">Their floating-point type.</param>
        public static GroupNorm GroupNorm(long num_groups, long num_channels, double eps = 1e-05, bool affine = true, Device? device = null, ScalarType? dtype = null)
            => new(num_groups, num_channels, eps, affine, device, dtype);

        /// <summary>Layer normalisation over the trailing <paramref name="normalized_shape"/> (weight 1, bias 0).</summary>
        /// <param name="normalized_shape">The trailing dimensions to normalise over.</param>
        /// <param name="eps">Added to the variance for numerical stability.</param>
        /// <param name="elementwise_affine">Whether to learn an elementwise weight (and bias).</param>
        /// <param name="bias">Whether the affine part has a bias.</param>
        /// <param name="device">Where the parameters live.</param>
        /// <param name="dtype">Their floating-point type.</param>
        public static LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-05, bool elementwise_affine = true, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(normalized_shape, eps, elementwise_affine, bias, device, dtype);

        /// <summary>Layer normalisation over the last dimension of size <paramref name="normalized_shape"/> (weight 1, bias 0).</summary>
        /// <param name="normalized_shape">The size of the last dimension.</param>
        /// <param name="eps">Added to the variance for numerical stability.</param>
        /// <param name="elementwise_affine">Whether to learn an elementwise weight (and bias).</param>
        /// <param name="bias">Whether the affine part has a bias.</param>
        /// <param name="device">Where the parameters live.</param>
        /// <param name="dtype">Their floating-point type.</param>
        public static LayerNorm LayerNorm(long normalized_shape, double eps = 1e-05, bool elementwise_affine = true, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(new[] { normalized_shape }, eps, elementwise_affine, bias, device, dtype);
    }
}
