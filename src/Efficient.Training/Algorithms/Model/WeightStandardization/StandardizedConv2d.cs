using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// A Conv2d whose weight is standardized in every forward pass (<see cref="WeightStandardization.Standardize"/>):
/// the stored weight stays the trained parameter, the convolution uses its per-output-channel
/// standardized form, and gradients flow through the standardization. It takes over the original
/// layer's weight and bias under the same names, so optimizers built before stay valid and state
/// dicts are interchangeable with the original model's.
/// </summary>
public sealed class StandardizedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _original;
    private Parameter weight;
    private Parameter? bias;

    /// <summary>Wraps <paramref name="conv"/>, taking over its weight and bias.</summary>
    /// <param name="conv">The convolution to standardize.</param>
    /// <param name="eps">Added to the variance before the square root, &gt; 0 (default 1e-5, as Composer).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eps"/> is not positive.</exception>
    public StandardizedConv2d(Conv2d conv, double eps = 1e-5) : base(nameof(StandardizedConv2d))
    {
        ArgumentNullException.ThrowIfNull(conv);
        WeightStandardization.CheckEps(eps);
        _original = conv;
        this.eps = eps;
        weight = conv.weight;
        bias = conv.bias;
        register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
    }

    /// <summary>Added to the variance before the square root.</summary>
    public double eps { get; }

    /// <summary>The convolution whose configuration (stride, padding, dilation, groups) this layer keeps.</summary>
    public Conv2d Original => _original;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var conv = _original;
        if (input.dim() is not (3 or 4) || input.shape[^3] != conv.in_channels)
            throw new ArgumentException($"StandardizedConv2d: the input has shape [{string.Join(", ", input.shape)}]; expected [N, {conv.in_channels}, H, W] or [{conv.in_channels}, H, W].", nameof(input));
        using var standardized = WeightStandardization.Standardize(weight, eps);
        return SurgeryHelpers.Conv2dAs(conv, input, standardized, bias);
    }
}
