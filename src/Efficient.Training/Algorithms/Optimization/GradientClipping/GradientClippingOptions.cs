using System;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="GradientClippingAlgorithm"/> (names as Composer's GradientClipping).</summary>
public sealed class GradientClippingOptions : IValidatableOptions
{
    /// <summary>Norm, value or adaptive (AGC). Default <see cref="ClippingType.Norm"/>.</summary>
    public ClippingType ClippingType { get; set; } = ClippingType.Norm;

    /// <summary>
    /// The max global norm (<c>Norm</c>), max magnitude (<c>Value</c>) or λ (<c>Adaptive</c>); a finite
    /// value &gt; 0. Required (Composer has no default): 1.0 is usual for norm clipping, 0.01 to 0.16 for AGC.
    /// </summary>
    public double? ClippingThreshold { get; set; }

    /// <summary>Adaptive only: leave the final linear layer (the classifier) unclipped, as Brock et al. do. Default true.</summary>
    public bool ExcludeFinalLayer { get; set; } = true;

    /// <summary>Adaptive only: the smallest weight norm, a finite value &gt; 0. Default 1e-3.</summary>
    public double AdaptiveEpsilon { get; set; } = 1e-3;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(GradientClippingOptions));
        v.Require(Enum.IsDefined(ClippingType), nameof(ClippingType), ClippingType, "Norm, Value or Adaptive");
        if (ClippingThreshold is { } t) v.Positive(t, nameof(ClippingThreshold));
        else v.Fail(nameof(ClippingThreshold), "null is invalid; expected a finite value > 0 (required: e.g. 1.0 for Norm, 0.01 for Adaptive)");
        v.Positive(AdaptiveEpsilon, nameof(AdaptiveEpsilon));
        v.ThrowIfInvalid();
    }
}
