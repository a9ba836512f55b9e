namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="FactorizeAlgorithm"/> and <see cref="Factorize.Apply"/> (names and defaults as Composer's Factorize).</summary>
public sealed class FactorizeOptions : IValidatableOptions
{
    /// <summary>Whether to factorize Conv2d layers. Default true.</summary>
    public bool FactorizeConvs { get; set; } = true;

    /// <summary>Whether to factorize Linear layers. Default true.</summary>
    public bool FactorizeLinears { get; set; } = true;

    /// <summary>A Conv2d qualifies only with at least this many input and output channels. At least 1; default 256.</summary>
    public long MinChannels { get; set; } = 256;

    /// <summary>
    /// The latent channels r of a factorized Conv2d: below 1, a fraction of min(in, out) (rounded down,
    /// at least 1); from 1 on, a whole number of channels. Range (0, 1) or an integer ≥ 1; default 0.25.
    /// </summary>
    public double LatentChannels { get; set; } = 0.25;

    /// <summary>A Linear qualifies only with at least this many input and output features. At least 1; default 256.</summary>
    public long MinFeatures { get; set; } = 256;

    /// <summary>
    /// The latent features r of a factorized Linear: below 1, a fraction of min(in, out) (rounded down,
    /// at least 1); from 1 on, a whole number of features. Range (0, 1) or an integer ≥ 1; default 0.25.
    /// </summary>
    public double LatentFeatures { get; set; } = 0.25;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(FactorizeOptions))
            .Require(MinChannels >= 1, nameof(MinChannels), MinChannels, "an integer >= 1")
            .Require(IsLatent(LatentChannels), nameof(LatentChannels), LatentChannels, "a fraction in (0, 1) or a whole number >= 1")
            .Require(MinFeatures >= 1, nameof(MinFeatures), MinFeatures, "an integer >= 1")
            .Require(IsLatent(LatentFeatures), nameof(LatentFeatures), LatentFeatures, "a fraction in (0, 1) or a whole number >= 1")
            .ThrowIfInvalid();

    private static bool IsLatent(double v) => (v > 0 && v < 1) || (v >= 1 && v <= long.MaxValue && v == System.Math.Floor(v));
}
