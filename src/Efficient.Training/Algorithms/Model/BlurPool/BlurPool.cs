using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// BlurPool (Zhang, 2019): anti-aliased downsampling. A low-pass filter (by default the binomial
/// <c>[1, 2, 1] ⊗ [1, 2, 1] / 16</c>) is applied depthwise before subsampling, so strided
/// convolutions and max-pooling stop aliasing high frequencies. Follows Composer's
/// <c>blur_2d</c>, <c>blurmax_pool2d</c> and <c>apply_blurpool</c>.
/// </summary>
public static class BlurPool
{
    /// <summary>The default filter: <c>[1, 2, 1] ⊗ [1, 2, 1] / 16</c>, shape [1, 1, 3, 3] (float32).</summary>
    public static Tensor DefaultFilter()
    {
        var row = new float[] { 1, 2, 1 };
        var values = new float[9];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                values[i * 3 + j] = row[i] * row[j] / 16f;
        return tensor(values, new long[] { 1, 1, 3, 3 });
    }

    /// <summary>
    /// Blurs each channel of <paramref name="input"/> [N, C, H, W] with <paramref name="filter"/>
    /// (a depthwise convolution, <c>groups = C</c>, zero padding <c>(kh / 2, kw / 2)</c>) at the given
    /// stride. Equals PyTorch's <c>conv2d(input, filter.repeat(C, 1, 1, 1), stride=stride, padding=(kh//2, kw//2), groups=C)</c>.
    /// </summary>
    /// <param name="input">A 4-D floating-point tensor.</param>
    /// <param name="stride">The subsampling step (≥ 1).</param>
    /// <param name="filter">[1, 1, kh, kw] (shared by all channels) or [C, 1, kh, kw], with odd kh and kw; null for <see cref="DefaultFilter"/>.</param>
    /// <exception cref="ArgumentException">The input is not 4-D, the stride is not positive or the filter has the wrong shape.</exception>
    public static Tensor Blur2d(Tensor input, long stride = 1, Tensor? filter = null) => Blur2d(input, new[] { stride, stride }, filter);

    /// <summary>As <see cref="Blur2d(Tensor, long, Tensor?)"/>, with a (height, width) stride.</summary>
    /// <param name="input">A 4-D floating-point tensor.</param>
    /// <param name="stride">The subsampling step per spatial dimension (two values ≥ 1).</param>
    /// <param name="filter">[1, 1, kh, kw] or [C, 1, kh, kw] with odd kh and kw; null for <see cref="DefaultFilter"/>.</param>
    public static Tensor Blur2d(Tensor input, long[] stride, Tensor? filter = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(stride);
        if (input.dim() != 4) throw new ArgumentException($"BlurPool.Blur2d needs a 4-D [N, C, H, W] input (got shape [{string.Join(", ", input.shape)}]).", nameof(input));
        if (stride.Length != 2 || stride.Any(s => s < 1)) throw new ArgumentException($"The stride must be two values >= 1 (got ({string.Join(", ", stride)})).", nameof(stride));
        using var scope = NewDisposeScope();
        var channels = input.shape[1];
        var f = filter ?? DefaultFilter();
        if (f.dim() != 4 || f.shape[1] != 1 || (f.shape[0] != 1 && f.shape[0] != channels) || f.shape[2] % 2 == 0 || f.shape[3] % 2 == 0)
            throw new ArgumentException($"The blur filter must have shape [1, 1, kh, kw] or [{channels}, 1, kh, kw] with odd kh and kw (got [{string.Join(", ", f.shape)}]).", nameof(filter));
        if (f.dtype != input.dtype || f.device_type != input.device_type) f = f.to(input.dtype, input.device);
        if (f.shape[0] != channels) f = f.expand(channels, 1, f.shape[2], f.shape[3]);
        var result = nn.functional.conv2d(input, f, null, stride, new[] { f.shape[2] / 2, f.shape[3] / 2 }, null, channels);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Blurred max-pooling (Composer's <c>blurmax_pool2d</c>): max-pooling with stride 1 (same kernel,
    /// padding, dilation and ceil mode), then <see cref="Blur2d(Tensor, long[], Tensor?)"/> with the
    /// pooling stride.
    /// </summary>
    /// <param name="input">A 4-D floating-point tensor.</param>
    /// <param name="kernelSize">The pooling window (height, width).</param>
    /// <param name="stride">The pooling stride (height, width); null for the kernel size.</param>
    /// <param name="padding">Implicit −∞ padding (height, width); null for none.</param>
    /// <param name="dilation">Window dilation (height, width); null for 1.</param>
    /// <param name="ceilMode">Round the stride-1 pooled size up.</param>
    /// <param name="filter">The blur filter; null for <see cref="DefaultFilter"/>.</param>
    public static Tensor BlurMaxPool2d(Tensor input, long[] kernelSize, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceilMode = false, Tensor? filter = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(kernelSize);
        using var scope = NewDisposeScope();
        var maxima = nn.functional.max_pool2d(input, kernelSize, new long[] { 1, 1 }, padding ?? new long[] { 0, 0 }, dilation ?? new long[] { 1, 1 }, ceilMode);
        return Blur2d(maxima, stride ?? kernelSize, filter).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Applies BlurPool to <paramref name="model"/> in place (Composer's <c>apply_blurpool</c>):
    /// every <see cref="Conv2d"/> with a stride above 1 and at least
    /// <see cref="BlurPoolOptions.MinChannels"/> input channels becomes a <see cref="BlurConv2d"/>
    /// (when <see cref="BlurPoolOptions.ReplaceConvs"/>), every <see cref="MaxPool2d"/> a
    /// <see cref="BlurMaxPool2d"/> (when <see cref="BlurPoolOptions.ReplaceMaxPools"/>). The
    /// convolutions are moved into the wrappers, not copied, so their parameters (and any optimizer
    /// state for them) are unchanged.
    /// </summary>
    /// <param name="model">The model to change.</param>
    /// <param name="options">The options (null: Composer's defaults).</param>
    /// <param name="optimizer">An optimizer already built over the model, kept valid; or null.</param>
    /// <returns>How many convolutions and max-pools were replaced.</returns>
    public static (int Convs, int MaxPools) Apply(nn.Module model, BlurPoolOptions? options = null, optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new BlurPoolOptions();
        options.Validate();
        return Apply(new ModelSurgery(model, optimizer), options);
    }

    internal static (int Convs, int MaxPools) Apply(ModelSurgery surgery, BlurPoolOptions options)
    {
        var convs = 0;
        var pools = 0;
        // Convolutions already inside a BlurConv2d (from an earlier application) are left alone.
        var blurred = new HashSet<nn.Module>(surgery.Root.modules().OfType<BlurConv2d>().SelectMany(b => b.modules()), ReferenceEqualityComparer.Instance);
        surgery.ReplaceAll((_, module) =>
        {
            switch (module)
            {
                case Conv2d conv when options.ReplaceConvs && conv.stride.Max() > 1 && conv.in_channels >= options.MinChannels && !blurred.Contains(conv):
                    convs++;
                    return new BlurConv2d(conv, options.BlurFirst);
                case MaxPool2d pool when options.ReplaceMaxPools:
                    pools++;
                    return new BlurMaxPool2d(pool);
                default:
                    return null;
            }
        });
        return (convs, pools);
    }
}
