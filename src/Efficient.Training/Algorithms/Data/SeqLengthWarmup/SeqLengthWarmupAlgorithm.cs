using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Applies <see cref="SeqLengthWarmup"/> to every training batch at the length given by the run's
/// progress (<see cref="TrainingState.Progress"/>). Deterministic: it draws no randomness.
/// </summary>
public sealed class SeqLengthWarmupAlgorithm : IDataAlgorithm
{
    private readonly SeqLengthWarmupOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public SeqLengthWarmupAlgorithm(SeqLengthWarmupOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new SeqLengthWarmupOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "SeqLengthWarmup";

    /// <summary>The length this algorithm uses at <paramref name="progress"/> for sequences of <paramref name="sequenceLength"/> tokens.</summary>
    public long LengthAt(double progress, long sequenceLength)
    {
        var max = Math.Min(_options.MaxSeqLength ?? sequenceLength, sequenceLength);
        var min = Math.Min(_options.MinSeqLength, max);
        return SeqLengthWarmup.SequenceLength(progress, _options.Duration, min, max, _options.StepSize);
    }

    /// <inheritdoc />
    public Batch Transform(Batch batch, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(state);
        if (batch.Input.dim() != 2) throw new ArgumentException($"SeqLengthWarmup expects token batches [B, S] (got [{string.Join(", ", batch.Input.shape)}]).", nameof(batch));
        var length = LengthAt(state.Progress, batch.Input.shape[1]);
        return _options.Truncate ? SeqLengthWarmup.Truncate(batch, length) : SeqLengthWarmup.Reshape(batch, length);
    }
}
