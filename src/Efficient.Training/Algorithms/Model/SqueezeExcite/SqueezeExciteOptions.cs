namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="SqueezeExciteAlgorithm"/> and <see cref="SqueezeExcite.Apply(nn.Module, SqueezeExciteOptions?, optim.Optimizer?)"/> (Composer's names and defaults).</summary>
public sealed class SqueezeExciteOptions : IValidatableOptions
{
    /// <summary>
    /// Hidden units of the gate: a count when ≥ 1, a fraction of the convolution's output channels
    /// when in (0, 1). Default 64.
    /// </summary>
    public double LatentChannels { get; set; } = 64;

    /// <summary>Only convolutions whose input and output channels are both at least this are gated. Range ≥ 0; default 128.</summary>
    public long MinChannels { get; set; } = 128;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(SqueezeExciteOptions))
            .Positive(LatentChannels, nameof(LatentChannels))
            .Require(MinChannels >= 0, nameof(MinChannels), MinChannels, "a channel count >= 0")
            .ThrowIfInvalid();
}
