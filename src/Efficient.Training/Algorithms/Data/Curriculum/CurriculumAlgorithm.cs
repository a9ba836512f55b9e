using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of curriculum learning by difficulty (<see cref="CurriculumTrainingData"/>): as a
/// data-source algorithm it replaces the training data by a curriculum over the same samples, paced by
/// <see cref="CurriculumAlgorithmOptions.Schedule"/> in global steps (batches). The difficulty is the
/// user's score, or the per-sample loss of the model at the first epoch start (and every
/// <see cref="CurriculumAlgorithmOptions.RescoreEveryEpochs"/> epochs). The computed difficulty is
/// checkpointed, so a resumed run sees the batches of the uninterrupted one.
/// </summary>
public sealed class CurriculumAlgorithm : IDataSourceAlgorithm, IStatefulAlgorithm
{
    private readonly CurriculumAlgorithmOptions _options;
    private SampleSet? _samples;
    private CurriculumTrainingData? _curriculum;
    private Tensor? _difficulty;
    private long _scoredEpoch = -1;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public CurriculumAlgorithm(CurriculumAlgorithmOptions? options = null)
    {
        options ??= new CurriculumAlgorithmOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "Curriculum";

    /// <summary>The difficulty in use (one value per sample), or null before the first epoch.</summary>
    public Tensor? Difficulty => _difficulty;

    /// <inheritdoc />
    public ITrainingData Source(ITrainingData data, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(state);
        if (_samples is null || !ReferenceEquals(_samples.Source, data))
        {
            _samples = SampleSet.From(data, state.Seed, Name);
            _curriculum = null;
        }
        var epoch = state.Timestamp.Epoch;
        if (_options.Difficulty is { } given)
        {
            if (given.shape[0] != _samples.Count)
                throw new InvalidOperationException($"{Name}: the Difficulty has {given.shape[0]} values but the training data has {_samples.Count} samples; expected one value per sample.");
            if (_difficulty is null) SetDifficulty(given.detach().clone().DetachFromDisposeScope(), epoch);
        }
        else
        {
            var due = _difficulty is null || (_options.RescoreEveryEpochs > 0 && epoch % _options.RescoreEveryEpochs == 0 && epoch != _scoredEpoch);
            if (due) SetDifficulty(CurriculumTrainingData.LossScores(state.Model, _samples.Inputs, _samples.Targets, _options.PerSampleLoss, _options.ScoreBatchSize).DetachFromDisposeScope(), epoch);
        }
        return _curriculum ??= new CurriculumTrainingData(_samples.Inputs, _samples.Targets, _difficulty!, _samples.BatchSize, _options.Schedule, _samples.Seed);
    }

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        s.Values["scoredEpoch"] = _scoredEpoch;
        if (_difficulty is not null) s.Tensors["difficulty"] = _difficulty.clone();
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _curriculum = null;
        _difficulty?.Dispose();
        _difficulty = state.Tensors.TryGetValue("difficulty", out var d) ? d.DetachFromDisposeScope() : null;
        _scoredEpoch = state.Values.TryGetValue("scoredEpoch", out var e) ? (long)e : -1;
    }

    private void SetDifficulty(Tensor difficulty, long epoch)
    {
        _difficulty?.Dispose();
        _difficulty = difficulty;
        _scoredEpoch = epoch;
        _curriculum = null;
    }
}
