using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    // Fake quantization for quantization-aware training, as PyTorch's torch.fake_quantize_per_*_affine:
    // out = (clamp(round(x / scale) + zero_point, quant_min, quant_max) - zero_point) * scale, rounding
    // half to even. The gradient is the straight-through estimator: it passes unchanged where
    // quant_min <= round(x / scale) + zero_point <= quant_max and is zero elsewhere.

    /// <summary>
    /// Fake-quantizes <paramref name="input"/> (float32) with one <paramref name="scale"/> and
    /// <paramref name="zero_point"/>: <c>(clamp(round(x / scale) + zero_point, quant_min, quant_max) - zero_point) * scale</c>.
    /// The gradient passes where the quantized value lies in [<paramref name="quant_min"/>, <paramref name="quant_max"/>], zero elsewhere.
    /// </summary>
    /// <param name="input">The float32 tensor to fake-quantize.</param>
    /// <param name="scale">The quantization step (&gt; 0).</param>
    /// <param name="zero_point">The quantized value of 0, in [<paramref name="quant_min"/>, <paramref name="quant_max"/>].</param>
    /// <param name="quant_min">The smallest quantized value (e.g. 0 for quint8, -128 for qint8).</param>
    /// <param name="quant_max">The largest quantized value (e.g. 255 for quint8, 127 for qint8).</param>
    public static Tensor fake_quantize_per_tensor_affine(Tensor input, double scale, long zero_point, long quant_min, long quant_max)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckRange(quant_min, quant_max, nameof(quant_min));
        if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "fake_quantize_per_tensor_affine: the scale must be a finite value > 0.");
        if (zero_point < quant_min || zero_point > quant_max)
            throw new ArgumentOutOfRangeException(nameof(zero_point), zero_point, $"fake_quantize_per_tensor_affine: the zero point must be in [quant_min, quant_max] = [{quant_min}, {quant_max}].");
        return Tensor.Wrap(Native.ets_fake_quantize_per_tensor_affine(input.HandleChecked, scale, zero_point, quant_min, quant_max));
    }

    /// <summary>
    /// Fake-quantizes <paramref name="input"/> with a one-element float32 <paramref name="scale"/> and int32
    /// <paramref name="zero_point"/> tensor (the form whose parameters stay on the device).
    /// </summary>
    /// <param name="input">The float32 tensor to fake-quantize.</param>
    /// <param name="scale">A one-element float32 tensor holding the quantization step.</param>
    /// <param name="zero_point">A one-element int32 tensor holding the quantized value of 0.</param>
    /// <param name="quant_min">The smallest quantized value.</param>
    /// <param name="quant_max">The largest quantized value.</param>
    public static Tensor fake_quantize_per_tensor_affine(Tensor input, Tensor scale, Tensor zero_point, long quant_min, long quant_max)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(zero_point);
        CheckRange(quant_min, quant_max, nameof(quant_min));
        return Tensor.Wrap(Native.ets_fake_quantize_per_tensor_affine_tensor(input.HandleChecked, scale.HandleChecked, zero_point.HandleChecked, quant_min, quant_max));
    }

    /// <summary>
    /// Fake-quantizes <paramref name="input"/> (float32) with one scale and zero point per slice along
    /// <paramref name="axis"/> (per-channel quantization of weights). Gradient as for
    /// <see cref="fake_quantize_per_tensor_affine(Tensor, double, long, long, long)"/>.
    /// </summary>
    /// <param name="input">The float32 tensor to fake-quantize.</param>
    /// <param name="scale">float32 scales, one per slice: shape <c>[input.shape[axis]]</c>.</param>
    /// <param name="zero_point">Zero points (int32, or float32 as PyTorch accepts), one per slice.</param>
    /// <param name="axis">The channel dimension.</param>
    /// <param name="quant_min">The smallest quantized value.</param>
    /// <param name="quant_max">The largest quantized value.</param>
    public static Tensor fake_quantize_per_channel_affine(Tensor input, Tensor scale, Tensor zero_point, int axis, long quant_min, long quant_max)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(zero_point);
        CheckRange(quant_min, quant_max, nameof(quant_min));
        return Tensor.Wrap(Native.ets_fake_quantize_per_channel_affine(input.HandleChecked, scale.HandleChecked, zero_point.HandleChecked, axis, quant_min, quant_max));
    }

    private static void CheckRange(long quantMin, long quantMax, string name)
    {
        if (quantMin > quantMax)
            throw new ArgumentException($"fake_quantize: quant_min ({quantMin}) must not exceed quant_max ({quantMax}).", name);
    }
}
