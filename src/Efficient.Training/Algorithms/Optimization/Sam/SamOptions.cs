namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="SamAlgorithm"/> (names and defaults as Composer's SAM).</summary>
public sealed class SamOptions : IValidatableOptions
{
    /// <summary>ρ, the radius of the neighbourhood in which the loss is maximized. ≥ 0, default 0.05.</summary>
    public double Rho { get; set; } = 0.05;

    /// <summary>ε, added to the gradient norm for numerical stability. ≥ 0, default 1e-12.</summary>
    public double Epsilon { get; set; } = 1e-12;

    /// <summary>SAM runs on one step in every <c>Interval</c> (the others are plain steps). ≥ 1, default 1.</summary>
    public int Interval { get; set; } = 1;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(SamOptions))
            .NonNegative(Rho, nameof(Rho))
            .NonNegative(Epsilon, nameof(Epsilon))
            .Require(Interval >= 1, nameof(Interval), Interval, "a value >= 1")
            .ThrowIfInvalid();
}
