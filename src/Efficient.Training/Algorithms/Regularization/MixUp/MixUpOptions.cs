namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="MixUpAlgorithm"/> (timm's <c>Mixup</c> switch between MixUp and CutMix included).</summary>
public sealed class MixUpOptions : IValidatableOptions
{
    /// <summary>α of the Beta(α, α) distribution λ is drawn from. Finite, &gt; 0; default 0.2 (as Composer). Small α keeps λ near 0 or 1 (mild mixing); α = 1 is uniform.</summary>
    public double Alpha { get; set; } = 0.2;

    /// <summary>Probability that a microbatch is mixed at all. Range [0, 1]; default 1.</summary>
    public double Probability { get; set; } = 1.0;

    /// <summary>
    /// Probability of applying CutMix (with <see cref="CutMixAlpha"/>) instead of MixUp to a mixed
    /// microbatch, as timm's <c>switch_prob</c>. Range [0, 1]; default 0 (MixUp only). Needs image inputs [N, ..., H, W] when &gt; 0.
    /// </summary>
    public double SwitchProbability { get; set; }

    /// <summary>α of CutMix's Beta(α, α) when <see cref="SwitchProbability"/> picks CutMix. Finite, &gt; 0; default 1.0.</summary>
    public double CutMixAlpha { get; set; } = 1.0;

    /// <summary>
    /// When to stop mixing (e.g. <c>"5ep"</c>, <c>"1000ba"</c>, or <c>"0.8dur"</c> for the last 20% of
    /// training unmixed); null (default) mixes until the end. Must be &gt; 0 when set.
    /// </summary>
    public Duration? StopAt { get; set; }

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(MixUpOptions))
            .Positive(Alpha, nameof(Alpha))
            .InRange(Probability, 0, 1, nameof(Probability))
            .InRange(SwitchProbability, 0, 1, nameof(SwitchProbability))
            .Positive(CutMixAlpha, nameof(CutMixAlpha))
            .Require(StopAt is null || StopAt.Value.Value > 0, nameof(StopAt), StopAt?.ToString(), "null or a duration > 0")
            .ThrowIfInvalid();
}
