using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Applies <see cref="CutOut"/> to the input of every training batch (targets unchanged), drawing
/// hole centers from <see cref="TrainingState.Rng"/>.
/// </summary>
public sealed class CutOutAlgorithm : IDataAlgorithm
{
    private readonly CutOutOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public CutOutAlgorithm(CutOutOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new CutOutOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "CutOut";

    /// <inheritdoc />
    public Batch Transform(Batch batch, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(state);
        return batch.With(input: CutOut.Apply(batch.Input, _options.NumHoles, _options.Length, state.Rng));
    }
}
