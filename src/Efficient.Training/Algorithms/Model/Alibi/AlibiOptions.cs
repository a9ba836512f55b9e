namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="AlibiAlgorithm"/> (Composer's <c>Alibi</c>).</summary>
public sealed class AlibiOptions : IValidatableOptions
{
    /// <summary>
    /// The longest sequence the model may see (Composer <c>max_sequence_length</c>); longer inputs
    /// throw. Default 8192; range ≥ 1.
    /// </summary>
    public long MaxSequenceLength { get; set; } = 8192;

    /// <summary>
    /// The fraction of each training batch's sequence length to train on (Composer
    /// <c>train_sequence_length_scaling</c>); evaluation uses the full length. Default 0.25;
    /// range (0, 1]; 1 disables it.
    /// </summary>
    public double TrainSequenceLengthScaling { get; set; } = 0.25;

    /// <summary>
    /// False (default, as Composer): the batch's tokens are regrouped into <c>1/scaling</c> times as
    /// many shorter sequences (same tokens, larger batch). True: training batches keep only the first
    /// <c>⌊S·scaling⌋</c> positions (a cheaper step that sees fewer tokens).
    /// </summary>
    public bool Truncate { get; set; }

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(AlibiOptions));
        v.Require(MaxSequenceLength >= 1, nameof(MaxSequenceLength), MaxSequenceLength, "an integer >= 1");
        v.Require(TrainSequenceLengthScaling > 0 && TrainSequenceLengthScaling <= 1, nameof(TrainSequenceLengthScaling), TrainSequenceLengthScaling, "a value in (0, 1]");
        v.ThrowIfInvalid();
    }
}
