namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="LayerFreezingAlgorithm"/> (Composer's names and defaults).</summary>
public sealed class LayerFreezingOptions : IValidatableOptions
{
    /// <summary>The fraction of training after which freezing starts. Range [0, 1); default 0.5.</summary>
    public double FreezeStart { get; set; } = 0.5;

    /// <summary>The fraction of the freezable layers frozen at the end of training. Range [0, 1]; default 1.0.</summary>
    public double FreezeLevel { get; set; } = 1.0;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(LayerFreezingOptions))
            .Require(FreezeStart >= 0 && FreezeStart < 1, nameof(FreezeStart), FreezeStart, "a value in [0, 1)")
            .InRange(FreezeLevel, 0, 1, nameof(FreezeLevel))
            .ThrowIfInvalid();
}
