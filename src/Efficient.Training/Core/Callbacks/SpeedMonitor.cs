using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Efficient.Training;

/// <summary>Measures throughput: samples/s and tokens/s over a sliding window of batches, and wall time.</summary>
public sealed class SpeedMonitor : ITrainingCallback
{
    private readonly int _window;
    private readonly Queue<(long samples, long tokens, double seconds)> _recent = new();
    private readonly Stopwatch _batch = new();
    private readonly Stopwatch _total = new();

    /// <summary>Creates the monitor averaging over <paramref name="window"/> batches (≥ 1, default 20).</summary>
    public SpeedMonitor(int window = 20)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "SpeedMonitor: window must be at least 1 batch.");
        _window = window;
    }

    /// <summary>Samples per second over the window.</summary>
    public double SamplesPerSecond { get; private set; }

    /// <summary>Tokens per second over the window.</summary>
    public double TokensPerSecond { get; private set; }

    /// <summary>Wall time since fit start.</summary>
    public TimeSpan WallTime => _total.Elapsed;

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        switch (trainingEvent)
        {
            case TrainingEvent.FitStart:
                _total.Restart();
                break;
            case TrainingEvent.BatchStart:
                _batch.Restart();
                break;
            case TrainingEvent.BatchEnd:
                _recent.Enqueue((state.Timestamp.Sample, state.Timestamp.Token, _batch.Elapsed.TotalSeconds));
                while (_recent.Count > _window) _recent.Dequeue();
                var seconds = _recent.Sum(r => r.seconds);
                if (_recent.Count >= 2 && seconds > 0)
                {
                    var first = _recent.Peek();
                    var last = _recent.Last();
                    var span = seconds - first.seconds;
                    SamplesPerSecond = span > 0 ? (last.samples - first.samples) / span : 0;
                    TokensPerSecond = span > 0 ? (last.tokens - first.tokens) / span : 0;
                }
                break;
            case TrainingEvent.FitEnd:
                _total.Stop();
                break;
        }
    }
}
