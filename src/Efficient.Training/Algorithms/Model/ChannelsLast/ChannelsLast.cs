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
        // TorchSharp has no module memory-format conversion: each 4-D parameter gets a channels-last
        // copy of its values as its new storage (set_), so the Parameter object stays the same.
        var converted = 0;
        using var noGrad = no_grad();
        foreach (var p in model.parameters())
        {
            if (p.dim() != 4 || IsChannelsLast(p)) continue;
            using var copy = ToChannelsLast(p.detach());
            p.set_(copy);
            converted++;
        }
        return converted;
    }

    /// <summary>Whether <paramref name="tensor"/> is 4-D and laid out channels-last (NHWC strides).</summary>
    public static bool IsChannelsLast(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4) return false;
        var shape = tensor.shape;
        var stride = tensor.stride();
        long c = shape[1], h = shape[2], w = shape[3];
        // Dimensions of size 1 may carry any stride.
        return (c == 1 || stride[1] == 1)
            && (w == 1 || stride[3] == c)
            && (h == 1 || stride[2] == c * w)
            && (shape[0] == 1 || stride[0] == c * h * w);
    }

    /// <summary>Returns <paramref name="input"/> in channels-last layout when it is 4-D (same values), else unchanged.</summary>
    public static Tensor ToChannelsLast(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || IsChannelsLast(input)) return input.alias();
        // NCHW values with NHWC strides: what PyTorch's x.contiguous(memory_format=torch.channels_last) gives.
        using var nhwc = input.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }
}
