namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="AugMixAlgorithm"/> (Composer's <c>AugMix</c>).</summary>
public sealed class AugMixOptions : IValidatableOptions
{
    /// <summary>The largest level of the operations (Composer <c>severity</c>). Default 3; range [0, 10].</summary>
    public int Severity { get; set; } = 3;

    /// <summary>Operations per chain (Composer <c>depth</c>); -1 draws 1 to 3 per image and chain. Default -1; range -1 or ≥ 1.</summary>
    public int Depth { get; set; } = -1;

    /// <summary>Chains mixed per image (Composer <c>width</c>). Default 3; range ≥ 1.</summary>
    public int Width { get; set; } = 3;

    /// <summary>The Dirichlet and Beta concentration (Composer <c>alpha</c>). Default 1.0; range a finite value &gt; 0.</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>The operations drawn from (Composer <c>augmentation_set</c>). Default <see cref="AugmentationSet.All"/>.</summary>
    public AugmentationSet AugmentationSet { get; set; } = AugmentationSet.All;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(AugMixOptions));
        v.Require(Severity >= 0 && Severity <= 10, nameof(Severity), Severity, "an integer in [0, 10]");
        v.Require(Depth == -1 || Depth >= 1, nameof(Depth), Depth, "-1 (random 1 to 3) or an integer >= 1");
        v.Require(Width >= 1, nameof(Width), Width, "an integer >= 1");
        v.Positive(Alpha, nameof(Alpha));
        v.Require(System.Enum.IsDefined(AugmentationSet), nameof(AugmentationSet), AugmentationSet, "All or Safe");
        v.ThrowIfInvalid();
    }
}
