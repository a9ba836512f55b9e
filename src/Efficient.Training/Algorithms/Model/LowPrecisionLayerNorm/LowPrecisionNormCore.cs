using System;

namespace Efficient.Training.Algorithms;

/// <summary>What the low-precision norms share: run an op in the <see cref="LowPrecision"/> context's precision.</summary>
internal static class LowPrecisionNormCore
{
    /// <summary>
    /// While the <see cref="LowPrecision"/> context is on, casts the input, weight and bias to its
    /// precision and runs <paramref name="op"/> there, returning that precision (Composer's
    /// <c>LPLayerNorm</c>/<c>LPGroupNorm</c>); otherwise runs it on the tensors as they are. The
    /// casts are differentiable, so gradients reach the float32 parameters.
    /// </summary>
    public static Tensor Run(Tensor input, Tensor? weight, Tensor? bias, Func<Tensor, Tensor?, Tensor?, Tensor> op)
    {
        if (!LowPrecision.IsEnabled || !LowPrecision.IsCastable(input.dtype)) return op(input, weight, bias);
        using var scope = NewDisposeScope();
        var x = LowPrecision.Cast(input);
        var w = weight is null ? null : LowPrecision.Cast(weight);
        var b = bias is null ? null : LowPrecision.Cast(bias);
        return op(x, w, b).MoveToOuterDisposeScope();
    }
}
