using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// A GroupNorm that, under the <see cref="LowPrecision"/> context, runs in its lower precision (bfloat16) and
/// returns that precision, as Composer's <c>LPGroupNorm</c>; outside the context it is identical to the
/// GroupNorm it replaced. It takes over the original weight and bias under the same names.
/// </summary>
public sealed class LPGroupNorm : nn.Module<Tensor, Tensor>, ILowPrecisionAware
{
    private Parameter? weight;
    private Parameter? bias;

    /// <summary>Replaces <paramref name="groupNorm"/>, taking over its parameters.</summary>
    public LPGroupNorm(GroupNorm groupNorm) : base(nameof(LPGroupNorm))
    {
        ArgumentNullException.ThrowIfNull(groupNorm);
        num_groups = groupNorm.num_groups;
        num_channels = groupNorm.weight?.shape[0] ?? throw new ArgumentException("LPGroupNorm needs an affine GroupNorm (its weight gives the number of channels).", nameof(groupNorm));
        eps = groupNorm.eps;
        weight = groupNorm.weight;
        bias = groupNorm.bias;
        if (weight is not null) register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
    }

    /// <summary>The number of groups.</summary>
    public long num_groups { get; }

    /// <summary>The number of channels.</summary>
    public long num_channels { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double eps { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() < 2 || input.shape[1] != num_channels)
            throw new ArgumentException($"LPGroupNorm: the input has shape [{string.Join(", ", input.shape)}]; expected [N, {num_channels}, ...].", nameof(input));
        return LowPrecisionNormCore.Run(input, weight, bias, (x, w, b) => nn.functional.group_norm(x, num_groups, w, b, eps));
    }
}
