using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="DataEchoing"/>: as a data-source algorithm it serves every epoch of the
/// training data echoed (each fresh batch, or each example, used <see cref="DataEchoingOptions.EchoFactor"/>
/// times). Data algorithms (<see cref="IDataAlgorithm"/>, e.g. augmentations) run on every echoed copy, so
/// augmenting after echoing gives fresh views of repeated data. The echo counts and shuffles are drawn
/// from generators seeded by (trainer seed, epoch[, buffer]), so an epoch depends only on the seed and the
/// epoch and a run resumed inside an epoch continues exactly.
/// </summary>
public sealed class DataEchoingAlgorithm : IDataSourceAlgorithm
{
    private readonly DataEchoingOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public DataEchoingAlgorithm(DataEchoingOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new DataEchoingOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "DataEchoing";

    /// <inheritdoc />
    public ITrainingData Source(ITrainingData data, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(state);
        return new EchoedTrainingData(data, _options.EchoFactor, _options.Mode, _options.ShuffleBufferBatches, state.Seed, state.Timestamp.Epoch);
    }
}
