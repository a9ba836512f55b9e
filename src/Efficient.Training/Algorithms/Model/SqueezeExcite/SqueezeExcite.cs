using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Squeeze-and-Excitation (Hu et al., 2018): after a convolution, each channel is rescaled by a
/// gate computed from the globally pooled activations,
/// <c>y = x · sigmoid(W₂ · relu(W₁ · mean_hw(x)))</c>. Follows Composer's
/// <c>apply_squeeze_excite</c>, <c>SqueezeExcite2d</c> and <c>SqueezeExciteConv2d</c>.
/// </summary>
public static class SqueezeExcite
{
    /// <summary>
    /// The number of hidden units for <paramref name="channels"/> channels: <paramref name="latentChannels"/>
    /// itself when ≥ 1, else that fraction of the channels (at least 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public static long LatentChannels(long channels, double latentChannels)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "The channel count must be at least 1.");
        if (!(latentChannels > 0) || double.IsInfinity(latentChannels)) throw new ArgumentOutOfRangeException(nameof(latentChannels), latentChannels, "The latent channels must be a finite value > 0 (a count, or a fraction of the channels when below 1).");
        return Math.Max(1, (long)(latentChannels >= 1 ? latentChannels : latentChannels * channels));
    }

    /// <summary>
    /// The squeeze-and-excitation gate applied functionally: <c>input · sigmoid(relu(mean_hw(input) · W₁ᵀ) · W₂ᵀ)</c>
    /// with <paramref name="squeezeWeight"/> [L, C] and <paramref name="exciteWeight"/> [C, L] (no biases, as Composer).
    /// </summary>
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="squeezeWeight">W₁, [L, C].</param>
    /// <param name="exciteWeight">W₂, [C, L].</param>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public static Tensor Excite(Tensor input, Tensor squeezeWeight, Tensor exciteWeight)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(squeezeWeight);
        ArgumentNullException.ThrowIfNull(exciteWeight);
        if (input.dim() != 4) throw new ArgumentException($"SqueezeExcite needs a 4-D [N, C, H, W] input (got shape [{string.Join(", ", input.shape)}]).", nameof(input));
        var c = input.shape[1];
        if (squeezeWeight.dim() != 2 || squeezeWeight.shape[1] != c)
            throw new ArgumentException($"The squeeze weight must have shape [L, {c}] (got [{string.Join(", ", squeezeWeight.shape)}]).", nameof(squeezeWeight));
        if (exciteWeight.dim() != 2 || exciteWeight.shape[0] != c || exciteWeight.shape[1] != squeezeWeight.shape[0])
            throw new ArgumentException($"The excite weight must have shape [{c}, {squeezeWeight.shape[0]}] (got [{string.Join(", ", exciteWeight.shape)}]).", nameof(exciteWeight));
        using var scope = NewDisposeScope();
        var pooled = input.mean(new long[] { 2, 3 });
        var gate = nn.functional.linear(nn.functional.linear(pooled, squeezeWeight).relu(), exciteWeight).sigmoid();
        return (input * gate.reshape(input.shape[0], c, 1, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Applies squeeze-and-excitation to <paramref name="model"/> in place: every <see cref="Conv2d"/>
    /// whose input and output channels are both at least <see cref="SqueezeExciteOptions.MinChannels"/>
    /// becomes a <see cref="SqueezeExciteConv2d"/> (the convolution is moved, not copied; the gate's
    /// two linear layers are new parameters).
    /// </summary>
    /// <param name="model">The model to change.</param>
    /// <param name="options">The options (null: Composer's defaults).</param>
    /// <param name="optimizer">An optimizer already built over the model (the new parameters are added to it as a new group); or null.</param>
    /// <returns>How many convolutions were given a gate.</returns>
    public static int Apply(nn.Module model, SqueezeExciteOptions? options = null, optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new SqueezeExciteOptions();
        options.Validate();
        return Apply(new ModelSurgery(model, optimizer), options);
    }

    internal static int Apply(ModelSurgery surgery, SqueezeExciteOptions options)
    {
        // Convolutions already gated (an earlier application) are left alone.
        var gated = new HashSet<nn.Module>(surgery.Root.modules().OfType<SqueezeExciteConv2d>().SelectMany(m => m.modules()), ReferenceEqualityComparer.Instance);
        return surgery.ReplaceAll((_, module) =>
            module is Conv2d conv && Math.Min(conv.in_channels, conv.out_channels) >= options.MinChannels && !gated.Contains(conv)
                ? new SqueezeExciteConv2d(conv, options.LatentChannels)
                : null);
    }
}

/// <summary>
/// The squeeze-and-excitation gate as a module (Composer's <c>SqueezeExcite2d</c>): children
/// <c>fc1</c> (Linear C → L, no bias) and <c>fc2</c> (Linear L → C, no bias).
/// </summary>
public sealed class SqueezeExcite2d : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>A gate for <paramref name="channels"/> channels with <see cref="SqueezeExcite.LatentChannels"/> hidden units.</summary>
    /// <param name="channels">The channels C of the input.</param>
    /// <param name="latentChannels">Hidden units (≥ 1) or a fraction of C (below 1).</param>
    public SqueezeExcite2d(long channels, double latentChannels = 64) : base(nameof(SqueezeExcite2d))
    {
        Latent = SqueezeExcite.LatentChannels(channels, latentChannels);
        fc1 = nn.Linear(channels, Latent, hasBias: false);
        fc2 = nn.Linear(Latent, channels, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The number of hidden units L.</summary>
    public long Latent { get; }

    /// <summary>The squeeze layer W₁ (C → L).</summary>
    public Linear Squeeze => fc1;

    /// <summary>The excitation layer W₂ (L → C).</summary>
    public Linear Excitation => fc2;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => SqueezeExcite.Excite(input, fc1.weight, fc2.weight);
}

/// <summary>A convolution followed by a squeeze-and-excitation gate (Composer's <c>SqueezeExciteConv2d</c>): children <c>conv</c> and <c>se</c>.</summary>
public sealed class SqueezeExciteConv2d : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> conv; // base-typed: other surgery (e.g. BlurPool) may wrap it
    private readonly SqueezeExcite2d se;

    /// <summary>Wraps <paramref name="conv"/> (taken over, not copied) and adds a gate over its output channels.</summary>
    /// <param name="conv">The convolution.</param>
    /// <param name="latentChannels">Hidden units (≥ 1) or a fraction of the output channels (below 1).</param>
    public SqueezeExciteConv2d(Conv2d conv, double latentChannels = 64) : base(nameof(SqueezeExciteConv2d))
    {
        ArgumentNullException.ThrowIfNull(conv);
        this.conv = conv;
        se = new SqueezeExcite2d(conv.out_channels, latentChannels);
        RegisterComponents();
    }

    /// <summary>The wrapped convolution.</summary>
    public nn.Module<Tensor, Tensor> Conv => conv;

    /// <summary>The gate.</summary>
    public SqueezeExcite2d Gate => se;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => se.call(conv.call(input));
}
