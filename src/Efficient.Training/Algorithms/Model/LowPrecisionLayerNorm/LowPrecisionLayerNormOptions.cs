namespace Efficient.Training.Algorithms;

/// <summary>
/// Options of <see cref="LowPrecisionLayerNormAlgorithm"/>. Composer's LowPrecisionLayerNorm has no
/// hyper-parameters; the class exists so the algorithm is configured like every other.
/// </summary>
public sealed class LowPrecisionLayerNormOptions : IValidatableOptions
{
    /// <inheritdoc />
    public void Validate() => new OptionsValidator(nameof(LowPrecisionLayerNormOptions)).ThrowIfInvalid();
}
