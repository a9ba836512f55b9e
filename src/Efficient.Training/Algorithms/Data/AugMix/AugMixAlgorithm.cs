using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Applies <see cref="AugMix"/> to the input of every training batch (targets unchanged), drawing
/// all randomness from <see cref="TrainingState.Rng"/>.
/// </summary>
public sealed class AugMixAlgorithm : IDataAlgorithm
{
    private readonly AugMixOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public AugMixAlgorithm(AugMixOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new AugMixOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "AugMix";

    /// <inheritdoc />
    public Batch Transform(Batch batch, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(state);
        return batch.With(input: AugMix.Augment(batch.Input, _options.Severity, _options.Depth, _options.Width, _options.Alpha, state.Rng, _options.AugmentationSet));
    }
}
