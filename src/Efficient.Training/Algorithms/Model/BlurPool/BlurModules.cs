using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// A strided convolution with anti-aliasing (Composer's <c>BlurConv2d</c>). With
/// <c>blurFirst</c>, the input is blurred at stride 1 and then convolved at the original stride;
/// otherwise the convolution runs at stride 1 and its output is blurred with the original stride.
/// The wrapped convolution is child <c>conv</c>; the filter is the non-persistent buffer
/// <c>blur_filter</c> [channels, 1, kh, kw].
/// </summary>
public sealed class BlurConv2d : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> conv; // base-typed: other surgery (e.g. SqueezeExcite) may wrap it
    private Tensor blur_filter;
    private readonly long[] _blurStride;

    /// <summary>
    /// Wraps <paramref name="conv"/> (taken over, not copied: with <paramref name="blurFirst"/> false
    /// its stride is set to 1 and the blur takes the stride).
    /// </summary>
    /// <param name="conv">The convolution to anti-alias.</param>
    /// <param name="blurFirst">Blur before the convolution (Composer's default, cheaper) or after it.</param>
    /// <param name="filter">[1, 1, kh, kw] with odd sizes; null for <see cref="BlurPool.DefaultFilter"/>.</param>
    public BlurConv2d(Conv2d conv, bool blurFirst = true, Tensor? filter = null) : base(nameof(BlurConv2d))
    {
        ArgumentNullException.ThrowIfNull(conv);
        BlurFirst = blurFirst;
        this.conv = conv;
        InChannels = conv.in_channels;
        var channels = blurFirst ? conv.in_channels : conv.out_channels;
        if (blurFirst)
        {
            _blurStride = new long[] { 1, 1 };
        }
        else
        {
            _blurStride = (long[])conv.stride.Clone();
            conv.stride = new long[] { 1, 1 };
        }
        using (var scope = NewDisposeScope())
        {
            var f = filter ?? BlurPool.DefaultFilter();
            if (f.dim() != 4 || f.shape[0] != 1 || f.shape[1] != 1 || f.shape[2] % 2 == 0 || f.shape[3] % 2 == 0)
                throw new ArgumentException($"The blur filter must have shape [1, 1, kh, kw] with odd kh and kw (got [{string.Join(", ", f.shape)}]).", nameof(filter));
            blur_filter = f.to(conv.weight.dtype, conv.weight.device).repeat(channels, 1, 1, 1).DetachFromDisposeScope();
        }
        register_module(nameof(conv), conv);
        register_buffer(nameof(blur_filter), blur_filter, persistent: false);
    }

    /// <summary>Input channels of the wrapped convolution.</summary>
    public long InChannels { get; }

    /// <summary>Whether the input is blurred before the convolution.</summary>
    public bool BlurFirst { get; }

    /// <summary>The wrapped convolution (possibly wrapped again by later surgery).</summary>
    public nn.Module<Tensor, Tensor> Conv => conv;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        return BlurFirst
            ? conv.call(BlurPool.Blur2d(input, _blurStride, blur_filter))
            : BlurPool.Blur2d(conv.call(input), _blurStride, blur_filter);
    }
}

/// <summary>
/// Max-pooling with anti-aliasing (Composer's <c>BlurMaxPool2d</c>): max-pool at stride 1, then
/// blur with the pooling stride (<see cref="BlurPool.BlurMaxPool2d"/>).
/// </summary>
public sealed class BlurMaxPool2d : nn.Module<Tensor, Tensor>
{
    private Tensor blur_filter;

    /// <summary>Takes the geometry (kernel, stride, padding, dilation, ceil mode) of <paramref name="pool"/>.</summary>
    /// <param name="pool">The max-pooling layer to replace.</param>
    /// <param name="filter">[1, 1, kh, kw] with odd sizes; null for <see cref="BlurPool.DefaultFilter"/>.</param>
    public BlurMaxPool2d(MaxPool2d pool, Tensor? filter = null) : base(nameof(BlurMaxPool2d))
    {
        ArgumentNullException.ThrowIfNull(pool);
        KernelSize = (long[])pool.kernel_size.Clone();
        Stride = (long[])pool.stride.Clone();
        Padding = (long[])pool.padding.Clone();
        Dilation = (long[])pool.dilation.Clone();
        CeilMode = pool.ceil_mode;
        using (var scope = NewDisposeScope())
        {
            var f = filter ?? BlurPool.DefaultFilter();
            if (f.dim() != 4 || f.shape[0] != 1 || f.shape[1] != 1 || f.shape[2] % 2 == 0 || f.shape[3] % 2 == 0)
                throw new ArgumentException($"The blur filter must have shape [1, 1, kh, kw] with odd kh and kw (got [{string.Join(", ", f.shape)}]).", nameof(filter));
            blur_filter = f.clone().DetachFromDisposeScope();
        }
        register_buffer(nameof(blur_filter), blur_filter, persistent: false);
    }

    /// <summary>The pooling window (height, width).</summary>
    public long[] KernelSize { get; }

    /// <summary>The downsampling stride (height, width), applied by the blur.</summary>
    public long[] Stride { get; }

    /// <summary>The max-pooling padding (height, width).</summary>
    public long[] Padding { get; }

    /// <summary>The max-pooling dilation (height, width).</summary>
    public long[] Dilation { get; }

    /// <summary>Whether the stride-1 pooled size is rounded up.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        BlurPool.BlurMaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode, blur_filter);
}
