using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Applies <see cref="ColOut"/> to every training batch (batch mode: the same rows and columns for
/// all samples), drawing them from <see cref="TrainingState.Rng"/>.
/// </summary>
public sealed class ColOutAlgorithm : IDataAlgorithm
{
    private readonly ColOutOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public ColOutAlgorithm(ColOutOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new ColOutOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "ColOut";

    /// <inheritdoc />
    public Batch Transform(Batch batch, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(state);
        return ColOut.Apply(batch, _options.PRow, _options.PCol, state.Rng);
    }
}
