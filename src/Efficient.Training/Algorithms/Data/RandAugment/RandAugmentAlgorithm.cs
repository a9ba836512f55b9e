using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Applies <see cref="RandAugment"/> to the input of every training batch (targets unchanged),
/// drawing operations and levels from <see cref="TrainingState.Rng"/>.
/// </summary>
public sealed class RandAugmentAlgorithm : IDataAlgorithm
{
    private readonly RandAugmentOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public RandAugmentAlgorithm(RandAugmentOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new RandAugmentOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "RandAugment";

    /// <inheritdoc />
    public Batch Transform(Batch batch, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(state);
        return batch.With(input: RandAugment.Augment(batch.Input, _options.Depth, _options.Severity, state.Rng, _options.AugmentationSet));
    }
}
