namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="CutMixAlgorithm"/>.</summary>
public sealed class CutMixOptions : IValidatableOptions
{
    /// <summary>α of the Beta(α, α) distribution λ (the kept share of each image) is drawn from. Finite, &gt; 0; default 1.0 (as Composer: uniform).</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>Probability that a microbatch is mixed at all. Range [0, 1]; default 1.</summary>
    public double Probability { get; set; } = 1.0;

    /// <summary>
    /// When to stop mixing (e.g. <c>"5ep"</c>, <c>"1000ba"</c>, or <c>"0.8dur"</c>); null (default)
    /// mixes until the end. Must be &gt; 0 when set.
    /// </summary>
    public Duration? StopAt { get; set; }

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(CutMixOptions))
            .Positive(Alpha, nameof(Alpha))
            .InRange(Probability, 0, 1, nameof(Probability))
            .Require(StopAt is null || StopAt.Value.Value > 0, nameof(StopAt), StopAt?.ToString(), "null or a duration > 0")
            .ThrowIfInvalid();
}
