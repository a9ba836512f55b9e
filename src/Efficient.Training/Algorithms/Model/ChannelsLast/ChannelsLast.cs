using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Channels-last memory format (Composer's <c>apply_channels_last</c>): stores 4-D tensors as NHWC
/// instead of NCHW. Values and shapes are unchanged; convolution kernels (oneDNN on CPU, cuDNN
/// with Tensor Cores on GPU) run faster in this layout.
/// </summary>
public static class ChannelsLast
{
    /// <summary>
    /// Converts the convolution weights (every 4-D parameter) of <paramref name="model"/> to
    /// channels-last in place; parameters keep their identity, so an existing optimizer stays valid.
    /// </summary>
    /// <returns>How many parameters were converted.</returns>
    public static int Apply(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
#if TORCHSHARP_BACKEND
        throw new NotSupportedException("ChannelsLast needs module memory-format conversion, which the TorchSharp backend does not offer.");
#else
        return model.ToMemoryFormat(MemoryFormat.ChannelsLast);
#endif
    }

    /// <summary>Returns <paramref name="input"/> in channels-last layout when it is 4-D (same values), else unchanged.</summary>
    public static Tensor ToChannelsLast(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.dim() == 4 ? input.contiguous(MemoryFormat.ChannelsLast) : input.alias();
    }
}
