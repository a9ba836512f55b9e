using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="BatchSizeRampUp"/>. As a data-source algorithm it re-batches every epoch of the training
/// data to the scheduled batch sizes (each batch one optimizer step); as an optimization algorithm it scales each step's
/// learning rate with the batch size when <see cref="BatchSizeRampUpOptions.LearningRate"/> is
/// <see cref="BatchSizeLearningRate.Linear"/> (the optimizer's rate is restored after the step, so schedulers are
/// unaffected). The schedule reads the trainer's clock at each epoch start (epoch, steps and samples done), so a resumed
/// run cuts the same batches.
/// </summary>
public sealed class BatchSizeRampUpAlgorithm : IDataSourceAlgorithm, IOptimizationAlgorithm
{
    private readonly BatchSizeRampUpOptions _options;
    private RampedTrainingData? _source;
    private RampSchedule? _schedule;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public BatchSizeRampUpAlgorithm(BatchSizeRampUpOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new BatchSizeRampUpOptions());
        _options.Milestones = _options.Milestones?.ToArray()!;
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "BatchSizeRampUp";

    /// <inheritdoc />
    public ITrainingData Source(ITrainingData data, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(state);
        _schedule = new RampSchedule(_options, data is TensorTrainingData t ? t.BatchSize : 0, state.MaxDuration, Name);
        var now = state.Timestamp;
        _source = new RampedTrainingData(data, _schedule, now.Epoch, now.Batch - now.BatchInEpoch, now.Sample - now.SampleInEpoch, Name);
        return _source;
    }

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_options.LearningRate == BatchSizeLearningRate.Fixed || _source?.CurrentScheduled is not { } size || _schedule is null)
        {
            next();
            return;
        }
        var scale = BatchSizeRampUp.LearningRateScale(size, _schedule.Reference, _options.LearningRate);
        var groups = context.State.Optimizer.ParamGroups.ToList();
        var saved = groups.Select(g => g.LearningRate).ToArray();
        for (var i = 0; i < groups.Count; i++) groups[i].LearningRate = saved[i] * scale;
        try
        {
            next();
        }
        finally
        {
            for (var i = 0; i < groups.Count; i++) groups[i].LearningRate = saved[i];
        }
    }
}
