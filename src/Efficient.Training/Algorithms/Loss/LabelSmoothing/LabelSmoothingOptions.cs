namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="LabelSmoothingAlgorithm"/>.</summary>
public sealed class LabelSmoothingOptions : IValidatableOptions
{
    /// <summary>α, the probability mass spread uniformly over all classes. Range [0, 1]; default 0.1 (as Composer).</summary>
    public double Smoothing { get; set; } = 0.1;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(LabelSmoothingOptions))
            .InRange(Smoothing, 0, 1, nameof(Smoothing))
            .ThrowIfInvalid();
}
