namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="WeightStandardizationAlgorithm"/>.</summary>
public sealed class WeightStandardizationOptions : IValidatableOptions
{
    /// <summary>
    /// How many of the last Conv2d layers (in registration order) to leave unstandardized, e.g. a
    /// convolutional classifier. At least 0; default 0 (as Composer's <c>n_last_layers_ignore</c>).
    /// </summary>
    public int NLastLayersIgnore { get; set; }

    /// <summary>Added to the per-channel variance before the square root. A finite value &gt; 0; default 1e-5 (as Composer).</summary>
    public double Eps { get; set; } = 1e-5;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(WeightStandardizationOptions))
            .Require(NLastLayersIgnore >= 0, nameof(NLastLayersIgnore), NLastLayersIgnore, "an integer >= 0")
            .Positive(Eps, nameof(Eps))
            .ThrowIfInvalid();
}
