using System;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// A module that handles the <see cref="LowPrecision"/> context itself (casts its own inputs and
/// weights): <see cref="LowPrecision.Apply"/> gives it no float32 input guard.
/// </summary>
internal interface ILowPrecisionAware
{
}

/// <summary>
/// Replaces a <c>Linear</c>: <c>linear(x, weight, bias)</c>, computed in the <see cref="LowPrecision"/>
/// context's precision while it is on. Holds the original parameters under the original names.
/// </summary>
internal sealed class LowPrecisionLinear : nn.Module<Tensor, Tensor>, ILowPrecisionAware
{
    // Field names = parameter names, so Module.to() keeps them in step.
    private Parameter weight;
    private Parameter? bias;

    public LowPrecisionLinear(Linear linear) : base(nameof(LowPrecisionLinear))
    {
        weight = linear.weight;
        bias = linear.bias;
        register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
        InFeatures = linear.in_features;
        OutFeatures = linear.out_features;
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return LowPrecision.Linear(input, weight, bias);
    }
}

/// <summary>
/// Replaces a <c>Conv1d</c>, <c>Conv2d</c> or <c>Conv3d</c>: the same convolution (stride, padding
/// and padding mode, dilation, groups), computed in the <see cref="LowPrecision"/> context's
/// precision while it is on. Holds the original parameters under the original names.
/// </summary>
internal sealed class LowPrecisionConvolution : nn.Module<Tensor, Tensor>, ILowPrecisionAware
{
    private Parameter weight;
    private Parameter? bias;
    private readonly int _dims;
    private readonly long[] _stride, _dilation;
    private readonly long[]? _padding;
    private readonly Padding? _paddingType;
    private readonly PaddingModes _paddingMode;
    private readonly long[] _pads; // functional.pad order (last dimension first), for non-zero padding modes
    private readonly long _groups;
    private readonly bool _lowersOnCpu;

    public LowPrecisionConvolution(Convolution conv, int dims) : base(nameof(LowPrecisionConvolution))
    {
        weight = conv.weight;
        bias = conv.bias;
        register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
        _dims = dims;
        _stride = conv.stride.ToArray();
        _dilation = conv.dilation.ToArray();
        _padding = conv.padding?.ToArray();
        _paddingType = conv.padding_type;
        _paddingMode = conv.padding_mode;
        _groups = conv.groups;
        // libtorch 2.10's oneDNN bf16 convolutions returned wrong values (and, in longer runs, NaN) on our
        // AVX512-BF16 test CPU (README.md): on the CPU convolutions stay float32; CUDA ones are lowered.
        _lowersOnCpu = false;
        _pads = new long[2 * dims];
        for (var d = 0; d < dims; d++)
        {
            long left, right;
            if (_paddingType == Padding.Same)
            {
                var total = _dilation[d] * (conv.kernel_size[d] - 1);
                left = total / 2;
                right = total - left;
            }
            else if (_paddingType == Padding.Valid) left = right = 0;
            else left = right = _padding![d];
            _pads[2 * (dims - 1 - d)] = left;
            _pads[2 * (dims - 1 - d) + 1] = right;
        }
    }

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != _dims + 1 && input.dim() != _dims + 2)
            throw new ArgumentException($"Conv{_dims}d (low precision): the input has shape [{string.Join(", ", input.shape)}]; expected {_dims + 1}D (unbatched) or {_dims + 2}D (batched).", nameof(input));
        if (!LowPrecision.Lowers(input, weight)) return Convolve(input, weight, bias);
        if (!_lowersOnCpu && input.device_type == DeviceType.CPU)
        {
            // Float32 here: a low-precision input (from an earlier lowered layer) is cast up to the weight.
            if (input.dtype == weight.dtype) return Convolve(input, weight, bias);
            using var up = input.to(weight.dtype);
            return Convolve(up, weight, bias);
        }
        using var scope = NewDisposeScope();
        return Convolve(LowPrecision.Cast(input), LowPrecision.Cast(weight), bias is null ? null : LowPrecision.Cast(bias)).MoveToOuterDisposeScope();
    }

    // What TorchSharp's Conv{1,2,3}d.forward computes, with the given weight and bias.
    private Tensor Convolve(Tensor x, Tensor w, Tensor? b)
    {
        if (_paddingMode != PaddingModes.Zeros)
        {
            using var padded = nn.functional.pad(x, _pads, _paddingMode);
            return Conv(padded, w, b, new long[_dims]);
        }
        if (_paddingType is { } type)
        {
            return _dims switch
            {
                1 => nn.functional.conv1d_padding(x, w, b, _stride[0], type, _dilation[0], _groups),
                2 => nn.functional.conv2d_padding(x, w, b, _stride, type, _dilation, _groups),
                _ => nn.functional.conv3d_padding(x, w, b, _stride, type, _dilation, _groups),
            };
        }
        return Conv(x, w, b, _padding!);
    }

    private Tensor Conv(Tensor x, Tensor w, Tensor? b, long[] padding) => _dims switch
    {
        1 => nn.functional.conv1d(x, w, b, _stride[0], padding[0], _dilation[0], _groups),
        2 => nn.functional.conv2d(x, w, b, _stride, padding, _dilation, _groups),
        _ => nn.functional.conv3d(x, w, b, _stride, padding, _dilation, _groups),
    };
}
