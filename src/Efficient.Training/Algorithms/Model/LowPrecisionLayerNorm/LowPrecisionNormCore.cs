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
#if TORCHSHARP_BACKEND
        return op(input, weight, bias);
#else
        var device = input.device_type;
        if (device is not (DeviceType.CPU or DeviceType.CUDA) || !Autocast.IsEnabled(device)) return op(input, weight, bias);
        var dtype = Autocast.GetDtype(device);
        using var scope = NewDisposeScope();
        var x = input.dtype == dtype ? input : input.to(dtype);
        var w = weight is null || weight.dtype == dtype ? weight : weight.to(dtype);
        var b = bias is null || bias.dtype == dtype ? bias : bias.to(dtype);
        using (Autocast.Disable(device)) return op(x, w, b).MoveToOuterDisposeScope();
#endif
    }
}
