namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="LookaheadAlgorithm"/>.</summary>
public sealed class LookaheadOptions : IValidatableOptions
{
    /// <summary>k, the synchronization period in optimizer steps. Range [1, +inf); default 5 (the paper's).</summary>
    public int K { get; set; } = 5;

    /// <summary>α, the slow weights' step size towards the fast weights. Range [0, 1]; default 0.5 (the paper's).</summary>
    public double Alpha { get; set; } = 0.5;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(LookaheadOptions))
            .Require(K >= 1, nameof(K), K, "an integer >= 1")
            .InRange(Alpha, 0, 1, nameof(Alpha))
            .ThrowIfInvalid();
}
