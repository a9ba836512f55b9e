using System;
using System.Globalization;

namespace Efficient.Training;

/// <summary>Stops training when an evaluation metric stops improving for <c>patience</c> evaluations.</summary>
public sealed class EarlyStopping : ITrainingCallback
{
    private readonly string _metric;
    private readonly int _patience;
    private readonly double _minDelta;
    private readonly bool _higherIsBetter;
    private double? _best;
    private int _bad;

    /// <summary>Creates the callback. <paramref name="patience"/> ≥ 1; <paramref name="minDelta"/> ≥ 0.</summary>
    public EarlyStopping(string metric = "loss", int patience = 3, double minDelta = 0, bool higherIsBetter = false)
    {
        if (string.IsNullOrWhiteSpace(metric)) throw new ArgumentException("EarlyStopping: metric must be named.", nameof(metric));
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), patience, "EarlyStopping: patience must be at least 1.");
        if (minDelta < 0) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "EarlyStopping: minDelta must be >= 0.");
        (_metric, _patience, _minDelta, _higherIsBetter) = (metric, patience, minDelta, higherIsBetter);
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (trainingEvent != TrainingEvent.EvalEnd) return;
        if (!state.Metrics.TryGetValue(_metric, out var v))
            throw new InvalidOperationException($"EarlyStopping watches '{_metric}' but the evaluation reported only [{string.Join(", ", state.Metrics.Keys)}].");
        var improved = _best is null || (_higherIsBetter ? v > _best + _minDelta : v < _best - _minDelta);
        if (improved)
        {
            _best = v;
            _bad = 0;
            return;
        }
        if (++_bad >= _patience)
            state.RequestStop(string.Create(CultureInfo.InvariantCulture, $"early stopping: {_metric} did not improve on {_best:G6} for {_patience} evaluations"));
    }
}
