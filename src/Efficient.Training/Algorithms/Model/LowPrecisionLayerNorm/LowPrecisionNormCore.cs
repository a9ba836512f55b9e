using System;

namespace Efficient.Training.Algorithms;

/// <summary>What the low-precision norms share: run an op in the <see cref="LowPrecision"/> context's precision.</summary>
internal static class LowPrecisionNormCore
{
    /// <summary>
    /// While the <see cref="LowPrecision"/> context is on, casts the input, weight and bias to its
    /// precision and runs <paramref name="op"/> there, returning that precision (Composer's
    /// <c>LPLayerNorm</c>/<c>LPGroupNorm</c>); otherwise runs it on the tensors as they are. The
    /// casts are differentiable, so gradients reach the float32 parameters. On the CPU the norm's
    /// arithmetic runs in float32 on the values rounded to that precision, and only the result is
    /// rounded: libtorch 2.10's bfloat16 CPU norm kernels gave NaN in training runs here (docs/engine.md).
    /// </summary>
    public static Tensor Run(Tensor input, Tensor? weight, Tensor? bias, Func<Tensor, Tensor?, Tensor?, Tensor> op)
    {
        if (!LowPrecision.IsEnabled || !LowPrecision.IsCastable(input.dtype)) return op(input, weight, bias);
        using var scope = NewDisposeScope();
        var x = LowPrecision.Cast(input);
        var w = weight is null ? null : LowPrecision.Cast(weight);
        var b = bias is null ? null : LowPrecision.Cast(bias);
        if (input.device_type == DeviceType.CPU)
        {
            var dtype = x.dtype;
            var y = op(x.to(ScalarType.Float32), w?.to(ScalarType.Float32), b?.to(ScalarType.Float32));
            return y.to(dtype).MoveToOuterDisposeScope();
        }
        return op(x, w, b).MoveToOuterDisposeScope();
    }
}
