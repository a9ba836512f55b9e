namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="GyroDropoutAlgorithm"/> (defaults as Composer's <c>GyroDropout</c>).</summary>
public sealed class GyroDropoutOptions : IValidatableOptions
{
    /// <summary>p, the dropout probability of every replaced <c>Dropout</c> (it replaces the layer's own p, as Composer). Range [0, 1); default 0.5.</summary>
    public double P { get; set; } = 0.5;

    /// <summary>σ, the number of subnetwork masks pre-selected per layer. At least 1; default 256.</summary>
    public int Sigma { get; set; } = 256;

    /// <summary>τ, the number of subnetworks trained concurrently in an iteration (the batch is split into τ groups). At least 1; default 16.</summary>
    public int Tau { get; set; } = 16;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(GyroDropoutOptions))
            .Require(P >= 0 && P < 1, nameof(P), P, "a value in [0, 1)")
            .Require(Sigma >= 1, nameof(Sigma), Sigma, "an integer >= 1")
            .Require(Tau >= 1, nameof(Tau), Tau, "an integer >= 1")
            .ThrowIfInvalid();
}
