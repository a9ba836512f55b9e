using System;
using System.Linq;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>
/// The common part of <see cref="Conv1d"/> and <see cref="Conv2d"/>: the weight
/// [out_channels, in_channels / groups, k...], the optional bias [out_channels], and the padding
/// rule (explicit sizes or <see cref="Padding"/>), applied with <see cref="padding_mode"/>.
/// </summary>
public abstract class Convolution : nn.Module<Tensor, Tensor>
{
    private Parameter _weight;
    private Parameter? _bias;

    /// <summary>Validates the arguments, then creates and initialises weight and bias as PyTorch does.</summary>
    private protected Convolution(string name, long in_channels, long out_channels, long[] kernel_size, long[] stride, long[]? padding, Padding? padding_type,
        long[] dilation, long groups, bool bias, PaddingModes padding_mode, Device? device, ScalarType? dtype) : base(name)
    {
        var op = name;
        if (in_channels <= 0) throw new ArgumentException($"{op}: in_channels is {in_channels}; expected a positive number.", nameof(in_channels));
        if (out_channels <= 0) throw new ArgumentException($"{op}: out_channels is {out_channels}; expected a positive number.", nameof(out_channels));
        if (groups <= 0) throw new ArgumentException($"{op}: groups is {groups}; expected a positive number.", nameof(groups));
        if (in_channels % groups != 0) throw new ArgumentException($"{op}: groups is {groups}; expected a divisor of in_channels ({in_channels}).", nameof(groups));
        if (out_channels % groups != 0) throw new ArgumentException($"{op}: groups is {groups}; expected a divisor of out_channels ({out_channels}).", nameof(groups));
        nn.functional.Positive(kernel_size, nameof(kernel_size), op);
        nn.functional.Positive(stride, nameof(stride), op);
        nn.functional.Positive(dilation, nameof(dilation), op);
        if (padding is not null && padding.Any(p => p < 0))
            throw new ArgumentException($"{op}: padding is ({string.Join(", ", padding)}); expected non-negative values.", nameof(padding));
        if (padding_mode is < PaddingModes.Zeros or > PaddingModes.Circular)
            throw new ArgumentException($"{op}: padding_mode is {padding_mode}; expected Zeros, Reflect, Replicate or Circular.", nameof(padding_mode));
        if (padding_type == Padding.Same && stride.Any(s => s != 1))
            throw new ArgumentException($"{op}: padding is Padding.Same with stride ({string.Join(", ", stride)}); 'same' padding needs stride 1.", nameof(padding));

        this.in_channels = in_channels;
        this.out_channels = out_channels;
        this.kernel_size = kernel_size;
        this.stride = stride;
        this.dilation = dilation;
        this.groups = groups;
        this.padding_mode = padding_mode;
        this.padding_type = padding_type;
        this.padding = padding_type.HasValue ? null : padding ?? new long[kernel_size.Length];
        output_padding = new long[kernel_size.Length];

        var weightShape = new[] { out_channels, in_channels / groups }.Concat(kernel_size).ToArray();
        _weight = Owned.Param(empty(weightShape, dtype, device));
        _bias = bias ? Owned.Param(empty(out_channels, dtype, device)) : null;
        register_parameter("weight", _weight);
        if (_bias is not null) register_parameter("bias", _bias);
        reset_parameters();
    }

    /// <summary>
    /// Re-initialises as PyTorch does: weight Kaiming-uniform with a = √5 (U(±1/√fan_in)), bias
    /// U(±1/√fan_in).
    /// </summary>
    public void reset_parameters()
    {
        nn.init.kaiming_uniform_(_weight, Math.Sqrt(5));
        if (_bias is null) return;
        var (fanIn, _) = nn.init.CalculateFanInAndFanOut(_weight);
        if (fanIn == 0) return;
        var bound = 1 / Math.Sqrt(fanIn);
        nn.init.uniform_(_bias, -bound, bound);
    }

    /// <summary>The bias [out_channels] (null when the layer has none).</summary>
    public Parameter? bias
    {
        get => _bias;
        set
        {
            _bias = value;
            ConditionallyRegisterParameter("bias", value);
        }
    }

    /// <summary>The weight [out_channels, in_channels / groups, kernel...].</summary>
    public Parameter weight
    {
        get => _weight;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _weight = value;
            register_parameter("weight", value);
        }
    }

    /// <summary>Input channels.</summary>
    public long in_channels { get; }

    /// <summary>Output channels.</summary>
    public long out_channels { get; }

    /// <summary>Whether this is a transposed convolution (always false here).</summary>
    public bool transposed => false;

    /// <summary>The padding rule when the layer was built with <see cref="Padding"/>, else null.</summary>
    public Padding? padding_type { get; }

    /// <summary>The padding per spatial dimension when given by size, else null.</summary>
    public long[]? padding { get; }

    /// <summary>How the border is filled.</summary>
    public PaddingModes padding_mode { get; set; }

    /// <summary>The number of blocked connections from input to output channels.</summary>
    public long groups { get; set; }

    /// <summary>The kernel size per spatial dimension.</summary>
    public long[] kernel_size { get; set; }

    /// <summary>The stride per spatial dimension.</summary>
    public long[] stride { get; set; }

    /// <summary>The dilation per spatial dimension.</summary>
    public long[] dilation { get; set; }

    /// <summary>The output padding of a transposed convolution (zeros here).</summary>
    public long[] output_padding { get; set; }

    /// <summary>
    /// The (left, right) padding of each spatial dimension, in <c>functional.pad</c> order (last
    /// dimension first). 'Same' padding puts the odd element on the right, as PyTorch.
    /// </summary>
    private protected long[] ReversedPadding()
    {
        var n = kernel_size.Length;
        var result = new long[2 * n];
        for (var i = 0; i < n; i++)
        {
            long left, right;
            if (padding_type == Padding.Same)
            {
                var total = dilation[i] * (kernel_size[i] - 1);
                left = total / 2;
                right = total - left;
            }
            else if (padding_type == Padding.Valid)
            {
                left = right = 0;
            }
            else
            {
                left = right = padding![i];
            }
            result[2 * (n - 1 - i)] = left;
            result[2 * (n - 1 - i) + 1] = right;
        }
        return result;
    }

    /// <summary>
    /// Runs <paramref name="conv"/> with the symmetric padding it can do itself, padding the input
    /// explicitly first when the padding mode is not zeros or the padding is asymmetric.
    /// </summary>
    private protected Tensor Apply(Tensor input, int spatialDims, Func<Tensor, long[], Tensor> conv)
    {
        var dims = input.dim();
        if (dims != spatialDims + 2 && dims != spatialDims + 1)
            throw new ArgumentException($"{GetName()}: the input has shape [{string.Join(", ", input.shape)}]; expected {spatialDims + 2}-D (batched) or {spatialDims + 1}-D (unbatched) input.", nameof(input));
        var channels = input.shape[dims - spatialDims - 1];
        if (channels != in_channels)
            throw new ArgumentException($"{GetName()}: the input has {channels} channels (shape [{string.Join(", ", input.shape)}]); expected {in_channels}.", nameof(input));

        var reversed = ReversedPadding();
        var symmetric = Enumerable.Range(0, spatialDims).All(i => reversed[2 * i] == reversed[2 * i + 1]);
        if (padding_mode == PaddingModes.Zeros && symmetric)
        {
            var sym = new long[spatialDims];
            for (var i = 0; i < spatialDims; i++) sym[i] = reversed[2 * (spatialDims - 1 - i)];
            return conv(input, sym);
        }
        using var padded = nn.functional.pad(input, reversed, padding_mode == PaddingModes.Zeros ? PaddingModes.Constant : padding_mode);
        return conv(padded, new long[spatialDims]);
    }
}

/// <summary>1-D convolution over [N, C, L] (or unbatched [C, L]) input.</summary>
public sealed class Conv1d : Convolution
{
    internal Conv1d(long in_channels, long out_channels, long kernel_size, long stride, long? padding, Padding? padding_type, long dilation, long groups, bool bias,
        PaddingModes padding_mode, Device? device, ScalarType? dtype)
        : base(nameof(Conv1d), in_channels, out_channels, new[] { kernel_size }, new[] { stride }, padding.HasValue ? new[] { padding.Value } : null, padding_type,
            new[] { dilation }, groups, bias, padding_mode, device, dtype)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        Apply(input, 1, (x, p) => nn.functional.conv1d(x, weight, bias, stride[0], p[0], dilation[0], groups));
}

/// <summary>2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) input.</summary>
public sealed class Conv2d : Convolution
{
    internal Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long) stride, (long, long)? padding, Padding? padding_type, (long, long) dilation,
        long groups, bool bias, PaddingModes padding_mode, Device? device, ScalarType? dtype)
        : base(nameof(Conv2d), in_channels, out_channels, new[] { kernel_size.Item1, kernel_size.Item2 }, new[] { stride.Item1, stride.Item2 },
            padding.HasValue ? new[] { padding.Value.Item1, padding.Value.Item2 } : null, padding_type, new[] { dilation.Item1, dilation.Item2 }, groups, bias,
            padding_mode, device, dtype)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        Apply(input, 2, (x, p) => nn.functional.conv2d(x, weight, bias, stride, p, dilation, groups));
}
