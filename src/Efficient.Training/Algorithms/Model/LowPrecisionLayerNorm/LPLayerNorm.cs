using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// A LayerNorm that, under the <see cref="LowPrecision"/> context, runs in its lower precision (bfloat16) and
/// returns that precision, as Composer's <c>LPLayerNorm</c>; outside the context it is identical to the
/// LayerNorm it replaced. It takes over the original weight and bias under the same names.
/// </summary>
public sealed class LPLayerNorm : nn.Module<Tensor, Tensor>, ILowPrecisionAware
{
    private Parameter? weight;
    private Parameter? bias;

    /// <summary>Replaces <paramref name="layerNorm"/>, taking over its parameters.</summary>
    public LPLayerNorm(LayerNorm layerNorm) : base(nameof(LPLayerNorm))
    {
        ArgumentNullException.ThrowIfNull(layerNorm);
        normalized_shape = layerNorm.normalized_shape.ToArray();
        eps = layerNorm.eps;
        weight = layerNorm.elementwise_affine ? layerNorm.weight : null;
        bias = layerNorm.bias;
        if (weight is not null) register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
    }

    /// <summary>The trailing shape normalised over.</summary>
    public long[] normalized_shape { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double eps { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.shape;
        var n = normalized_shape.Length;
        if (shape.Length < n || !shape.Skip(shape.Length - n).SequenceEqual(normalized_shape))
            throw new ArgumentException($"LPLayerNorm: the input has shape [{string.Join(", ", shape)}]; expected it to end with [{string.Join(", ", normalized_shape)}].", nameof(input));
        return LowPrecisionNormCore.Run(input, weight, bias, (x, w, b) => nn.functional.layer_norm(x, normalized_shape, w, b, eps));
    }
}
