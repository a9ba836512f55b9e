using System;
using System.Globalization;

namespace Efficient.Training;

/// <summary>
/// Stops training the first time an evaluation metric reaches a target and records the training
/// wall-clock time it took (the basis of time-to-accuracy). <see cref="TrainerOptions.StopAtThreshold"/>
/// does the same inside the trainer; this callback is for composing several targets.
/// </summary>
public sealed class ThresholdStopper : ITrainingCallback
{
    private readonly string _metric;
    private readonly double _target;
    private readonly bool _higherIsBetter;

    /// <summary>Creates the stopper for <paramref name="metric"/> reaching <paramref name="target"/>.</summary>
    public ThresholdStopper(string metric, double target, bool higherIsBetter = true)
    {
        if (string.IsNullOrWhiteSpace(metric)) throw new ArgumentException("ThresholdStopper: metric must be named.", nameof(metric));
        if (!double.IsFinite(target)) throw new ArgumentOutOfRangeException(nameof(target), target, "ThresholdStopper: target must be finite.");
        (_metric, _target, _higherIsBetter) = (metric, target, higherIsBetter);
    }

    /// <summary>Training wall-clock time when the target was reached, if it was.</summary>
    public TimeSpan? TimeToTarget { get; private set; }

    /// <summary>The batch at which the target was reached, if it was.</summary>
    public long? BatchAtTarget { get; private set; }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (trainingEvent != TrainingEvent.EvalEnd || TimeToTarget is not null || !state.Metrics.TryGetValue(_metric, out var v)) return;
        if (_higherIsBetter ? v < _target : v > _target) return;
        TimeToTarget = state.Timestamp.TotalWallClock;
        BatchAtTarget = state.Timestamp.Batch;
        state.RequestStop(string.Create(CultureInfo.InvariantCulture, $"{_metric} reached {v:G6} (target {_target:G6}) at batch {state.Timestamp.Batch}"));
    }
}
