namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="SeqLengthWarmupAlgorithm"/> (Composer's <c>SeqLengthWarmup</c>).</summary>
public sealed class SeqLengthWarmupOptions : IValidatableOptions
{
    /// <summary>Fraction of training over which the length grows to the maximum (Composer <c>duration</c>). Default 0.3; range [0, 1].</summary>
    public double Duration { get; set; } = 0.3;

    /// <summary>Length at the start (Composer <c>min_seq_length</c>). Default 8; range ≥ 1.</summary>
    public long MinSeqLength { get; set; } = 8;

    /// <summary>
    /// Length at the end of the warmup (Composer <c>max_seq_length</c>, there 1024). Default null:
    /// each batch's own sequence length. Range ≥ <see cref="MinSeqLength"/>.
    /// </summary>
    public long? MaxSeqLength { get; set; }

    /// <summary>Length increment per update (Composer <c>step_size</c>). Default 8; range ≥ 1.</summary>
    public long StepSize { get; set; } = 8;

    /// <summary>
    /// True: drop the positions past the current length (Composer <c>truncate=True</c>); false:
    /// reshape each sequence into several shorter ones (the batch grows). Default true.
    /// </summary>
    public bool Truncate { get; set; } = true;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(SeqLengthWarmupOptions));
        v.InRange(Duration, 0, 1, nameof(Duration));
        v.Require(MinSeqLength >= 1, nameof(MinSeqLength), MinSeqLength, "an integer >= 1");
        v.Require(MaxSeqLength is null || MaxSeqLength >= MinSeqLength, nameof(MaxSeqLength), MaxSeqLength, $"null or an integer >= MinSeqLength ({MinSeqLength})");
        v.Require(StepSize >= 1, nameof(StepSize), StepSize, "an integer >= 1");
        v.ThrowIfInvalid();
    }
}
