namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="RandAugmentAlgorithm"/> (Composer's <c>RandAugment</c>).</summary>
public sealed class RandAugmentOptions : IValidatableOptions
{
    /// <summary>The largest level of the operations (Composer <c>severity</c>). Default 9; range [0, 10].</summary>
    public int Severity { get; set; } = 9;

    /// <summary>Operations applied to each image (Composer <c>depth</c>). Default 2; range ≥ 1.</summary>
    public int Depth { get; set; } = 2;

    /// <summary>The operations drawn from (Composer <c>augmentation_set</c>). Default <see cref="AugmentationSet.All"/>.</summary>
    public AugmentationSet AugmentationSet { get; set; } = AugmentationSet.All;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(RandAugmentOptions));
        v.Require(Severity >= 0 && Severity <= 10, nameof(Severity), Severity, "an integer in [0, 10]");
        v.Require(Depth >= 1, nameof(Depth), Depth, "an integer >= 1");
        v.Require(System.Enum.IsDefined(AugmentationSet), nameof(AugmentationSet), AugmentationSet, "All or Safe");
        v.ThrowIfInvalid();
    }
}
