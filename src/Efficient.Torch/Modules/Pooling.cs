using System;
using System.Linq;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>2-D max pooling over [N, C, H, W] (or [C, H, W]) input.</summary>
public sealed class MaxPool2d : ParameterLessModule<Tensor, Tensor>
{
    internal MaxPool2d(long[] kernel_size, long[]? stride, long[]? padding, long[]? dilation, bool ceil_mode) : base(nameof(MaxPool2d))
    {
        this.kernel_size = Pool.Check(kernel_size, 1, nameof(kernel_size), positive: true, "MaxPool2d");
        this.stride = stride is null || stride.Length == 0 ? this.kernel_size : Pool.Check(stride, 1, nameof(stride), positive: true, "MaxPool2d");
        this.padding = Pool.Check(padding, 0, nameof(padding), positive: false, "MaxPool2d");
        this.dilation = Pool.Check(dilation, 1, nameof(dilation), positive: true, "MaxPool2d");
        for (var i = 0; i < 2; i++)
        {
            if (this.padding[i] * 2 > this.kernel_size[i])
                throw new ArgumentException($"MaxPool2d: padding is ({string.Join(", ", this.padding)}); expected at most half the kernel size ({string.Join(", ", this.kernel_size)}).", nameof(padding));
        }
        this.ceil_mode = ceil_mode;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => nn.functional.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);

    /// <summary>The pooled values and the flat index of each maximum within its input plane.</summary>
    public (Tensor Values, Tensor Indices) forward_with_indices(Tensor input) => nn.functional.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode);

    /// <summary>The window size (height, width).</summary>
    public long[] kernel_size { get; set; }

    /// <summary>The step (height, width).</summary>
    public long[] stride { get; set; }

    /// <summary>Implicit negative-infinity padding (height, width).</summary>
    public long[] padding { get; set; }

    /// <summary>The spacing of window elements (height, width).</summary>
    public long[] dilation { get; set; }

    /// <summary>Whether the output size is rounded up.</summary>
    public bool ceil_mode { get; set; }
}

/// <summary>2-D average pooling over [N, C, H, W] (or [C, H, W]) input.</summary>
public sealed class AvgPool2d : ParameterLessModule<Tensor, Tensor>
{
    internal AvgPool2d(long[] kernel_size, long[]? stride, long[]? padding, bool ceil_mode, bool count_include_pad, long? divisor_override) : base(nameof(AvgPool2d))
    {
        this.kernel_size = Pool.Check(kernel_size, 1, nameof(kernel_size), positive: true, "AvgPool2d");
        this.stride = stride is null || stride.Length == 0 ? this.kernel_size : Pool.Check(stride, 1, nameof(stride), positive: true, "AvgPool2d");
        this.padding = Pool.Check(padding, 0, nameof(padding), positive: false, "AvgPool2d");
        for (var i = 0; i < 2; i++)
        {
            if (this.padding[i] * 2 > this.kernel_size[i])
                throw new ArgumentException($"AvgPool2d: padding is ({string.Join(", ", this.padding)}); expected at most half the kernel size ({string.Join(", ", this.kernel_size)}).", nameof(padding));
        }
        if (divisor_override is <= 0)
            throw new ArgumentException($"AvgPool2d: divisor_override is {divisor_override}; expected a positive number or null.", nameof(divisor_override));
        this.ceil_mode = ceil_mode;
        this.count_include_pad = count_include_pad;
        this.divisor_override = divisor_override;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => nn.functional.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);

    /// <summary>The window size (height, width).</summary>
    public long[] kernel_size { get; set; }

    /// <summary>The step (height, width).</summary>
    public long[] stride { get; set; }

    /// <summary>Implicit zero padding (height, width).</summary>
    public long[] padding { get; set; }

    /// <summary>Whether the output size is rounded up.</summary>
    public bool ceil_mode { get; set; }

    /// <summary>Whether padded zeros count in the average.</summary>
    public bool count_include_pad { get; set; }

    /// <summary>A divisor used instead of the window size, or null.</summary>
    public long? divisor_override { get; set; }
}

/// <summary>Average pooling to a fixed output size, whatever the input size.</summary>
public sealed class AdaptiveAvgPool2d : ParameterLessModule<Tensor, Tensor>
{
    internal AdaptiveAvgPool2d(long[] output_size) : base(nameof(AdaptiveAvgPool2d)) =>
        this.output_size = Pool.Check(output_size, 1, nameof(output_size), positive: true, "AdaptiveAvgPool2d");

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => nn.functional.adaptive_avg_pool2d(input, output_size);

    /// <summary>The output size (height, width).</summary>
    public long[] output_size { get; set; }
}

internal static class Pool
{
    /// <summary>Expands 1 value to 2 and checks the range, naming the layer and the parameter.</summary>
    internal static long[] Check(long[]? values, long fallback, string name, bool positive, string op)
    {
        if (values is not null && values.Length is not (0 or 1 or 2))
            throw new ArgumentException($"{op}: {name} has {values.Length} values; expected 1 or 2.", name);
        var v = nn.functional.Expand2(values, fallback, name).ToArray();
        if (positive ? v[0] <= 0 || v[1] <= 0 : v[0] < 0 || v[1] < 0)
            throw new ArgumentException($"{op}: {name} is ({v[0]}, {v[1]}); expected {(positive ? "positive" : "non-negative")} values.", name);
        return v;
    }
}
