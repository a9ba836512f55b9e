namespace Efficient.Training.Algorithms;

/// <summary>
/// Options of <see cref="LowPrecisionGroupNormAlgorithm"/>. Composer's LowPrecisionGroupNorm has no
/// hyper-parameters; the class exists so the algorithm is configured like every other.
/// </summary>
public sealed class LowPrecisionGroupNormOptions : IValidatableOptions
{
    /// <inheritdoc />
    public void Validate() => new OptionsValidator(nameof(LowPrecisionGroupNormOptions)).ThrowIfInvalid();
}
