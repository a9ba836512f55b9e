using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Applies <see cref="SelectiveBackprop"/> to training batches while
/// <see cref="SelectiveBackprop.ShouldSelect"/> holds for the run's progress and the batch's index
/// within its epoch (Composer's <c>batch_in_epoch</c>); a <c>Keep</c> that keeps every sample skips the
/// scoring pass altogether. It
/// runs on the whole batch before the microbatch split, so the kept samples are then split as usual.
/// Sampling draws from <see cref="TrainingState.Rng"/>.
/// Under data-parallel training (<see cref="TrainerOptions.Distributed"/>) the selection is
/// per rank: each rank scores and keeps the hardest <c>keep</c> fraction of its own shard (not of
/// the global batch), so every rank backpropagates the same number of samples; the random draws
/// come from <see cref="TrainingState.Rng"/>, seeded identically on every rank, and stay in step.
/// </summary>
public sealed class SelectiveBackpropAlgorithm : IDataAlgorithm
{
    private readonly SelectiveBackpropOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public SelectiveBackpropAlgorithm(SelectiveBackpropOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new SelectiveBackpropOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "SelectiveBackprop";

    /// <inheritdoc />
    public Batch Transform(Batch batch, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(state);
        if (!SelectiveBackprop.ShouldSelect(state.Progress, state.Timestamp.BatchInEpoch, _options.Start, _options.End, _options.Interrupt)) return batch;
        if (SelectiveBackprop.KeptCount(batch.Size, _options.Keep) >= batch.Size) return batch;   // nothing to drop: no scoring pass
        var losses = SelectiveBackprop.PerSampleLosses(state.Model, batch, _options.PerSampleLoss, _options.ScaleFactor);
        var indices = SelectiveBackprop.SelectIndices(losses, _options.Keep, _options.Sample ? state.Rng : null);
        return SelectiveBackprop.Keep(batch, indices);
    }
}
