using System;

namespace Efficient.Training.Algorithms;

/// <summary>What the model-block functional forms share: replacing submodules outside a Trainer.</summary>
internal static class SurgeryHelpers
{
    /// <summary>Runs <see cref="ModelSurgery.ReplaceAll"/> on <paramref name="model"/> (the root itself is never replaced).</summary>
    public static int ReplaceAll(nn.Module model, Func<string, nn.Module, nn.Module?> select)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ModelSurgery(model).ReplaceAll(select);
    }

    /// <summary>
    /// <paramref name="conv"/>'s convolution (stride, padding and padding mode, dilation, groups) of
    /// <paramref name="input"/> with another <paramref name="weight"/> and <paramref name="bias"/>: what
    /// wrappers that transform the weight (weight standardization, fake quantization) compute.
    /// 'same' padding puts the odd element on the right, as PyTorch does.
    /// </summary>
    public static Tensor Conv2dAs(Conv2d conv, Tensor input, Tensor weight, Tensor? bias)
    {
        // The padding of each side, last dimension first (functional.pad order).
        var pads = new long[4];
        for (var d = 0; d < 2; d++)
        {
            long left, right;
            if (conv.padding_type == Padding.Same)
            {
                var total = conv.dilation[d] * (conv.kernel_size[d] - 1);
                left = total / 2;
                right = total - left;
            }
            else if (conv.padding_type == Padding.Valid) left = right = 0;
            else left = right = conv.padding![d];
            pads[2 * (1 - d)] = left;
            pads[2 * (1 - d) + 1] = right;
        }
        var symmetric = pads[0] == pads[1] && pads[2] == pads[3];
        if (conv.padding_mode == PaddingModes.Zeros && symmetric)
            return nn.functional.conv2d(input, weight, bias, conv.stride, new[] { pads[2], pads[0] }, conv.dilation, conv.groups);
        using var padded = nn.functional.pad(input, pads, conv.padding_mode == PaddingModes.Zeros ? PaddingModes.Constant : conv.padding_mode);
        return nn.functional.conv2d(padded, weight, bias, conv.stride, new long[2], conv.dilation, conv.groups);
    }

    /// <summary>"1 conv" / "2 convs".</summary>
    public static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}
