namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="ProgressiveLayerDropAlgorithm"/> (DeepSpeed's <c>progressive_layer_drop</c>).</summary>
public sealed class ProgressiveLayerDropOptions : IValidatableOptions
{
    /// <summary>θ̄, the keep ratio θ(t) converges to (DeepSpeed <c>theta</c>). Default 0.5; range (0, 1].</summary>
    public double Theta { get; set; } = 0.5;

    /// <summary>γ, the decay rate of θ(t) per optimizer step (DeepSpeed <c>gamma</c>). Default 0.001; range ≥ 0.</summary>
    public double Gamma { get; set; } = 0.001;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(ProgressiveLayerDropOptions));
        v.Require(Theta > 0 && Theta <= 1, nameof(Theta), Theta, "a value in (0, 1]");
        v.NonNegative(Gamma, nameof(Gamma));
        v.ThrowIfInvalid();
    }
}
