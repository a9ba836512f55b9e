using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Efficient.Training;

/// <summary>
/// A one-line console progress bar: epoch, batch, progress through the run, ETA and live loss and
/// metrics, redrawn in place at most every <c>refresh</c> in a terminal. When the output is not a
/// terminal (redirected to a file or a pipe, or a writer of your own) it writes one line per epoch
/// and one per evaluation, and never the same line twice.
/// </summary>
public sealed class ProgressBar : ITrainingCallback
{
    private readonly TextWriter _out;
    private readonly TimeSpan _refresh;
    private readonly bool _inPlace;
    private readonly Stopwatch _watch = new();
    private TimeSpan? _lastDraw;
    private double _startProgress;
    private string? _lastLine;

    /// <summary>Creates the bar on <paramref name="output"/> (default the console).</summary>
    public ProgressBar(TextWriter? output = null, TimeSpan? refresh = null)
    {
        _out = output ?? Console.Out;
        _refresh = refresh ?? TimeSpan.FromMilliseconds(250);
        _inPlace = (output is null || ReferenceEquals(output, Console.Out)) && !Console.IsOutputRedirected;
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (!state.IsRankZero) return; // data-parallel runs: only rank 0 reports
        switch (trainingEvent)
        {
            case TrainingEvent.FitStart:
                _watch.Restart();
                _startProgress = state.Progress;
                break;
            case TrainingEvent.BatchEnd when _inPlace && (_lastDraw is null || _watch.Elapsed - _lastDraw.Value >= _refresh):
                Draw(state, final: false);
                break;
            case TrainingEvent.EpochEnd when !_inPlace:
            case TrainingEvent.EvalEnd:
            case TrainingEvent.FitEnd:
                Draw(state, final: true);
                break;
        }
    }

    private void Draw(TrainingState state, bool final)
    {
        _lastDraw = _watch.Elapsed;
        var p = state.Progress;
        const int width = 24;
        var filled = (int)Math.Round(p * width);
        var rate = (p - _startProgress) / Math.Max(1e-9, _watch.Elapsed.TotalSeconds);
        var eta = rate > 0 ? TimeSpan.FromSeconds(Math.Min((1 - p) / rate, 359_999)) : TimeSpan.Zero;
        var metrics = string.Join(" ", state.Metrics.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:0.####}")));
        var loss = state.LastBatchLoss is { } l ? string.Create(CultureInfo.InvariantCulture, $"loss={l:0.####}") : "";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"ep {state.Timestamp.Epoch} ba {state.Timestamp.Batch} [{new string('#', filled)}{new string('.', width - filled)}] {p * 100:0}% eta {eta:hh\\:mm\\:ss} {loss} {metrics}").TrimEnd();
        if (_inPlace && !final) _out.Write("\r" + line.PadRight(TerminalWidth()));
        else if (line != _lastLine) _out.WriteLine((_inPlace ? "\r" : "") + line);
        _lastLine = final ? line : null;
    }

    // The width to pad the in-place line to: up to 120 columns; terminals can report 0 columns (under
    // `script`, some CI consoles) or none at all.
    private static int TerminalWidth()
    {
        try
        {
            return Math.Clamp(Console.BufferWidth - 1, 0, 120);
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 0;
        }
    }
}

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

/// <summary>Records the learning rate of each parameter group after every optimizer step.</summary>
public sealed class LearningRateMonitor : ITrainingCallback
{
    private readonly List<(long batch, double[] rates)> _history = new();

    /// <summary>(batch, learning rate per group) after each step.</summary>
    public IReadOnlyList<(long batch, double[] rates)> History => _history;

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (trainingEvent == TrainingEvent.BatchEnd)
            _history.Add((state.Timestamp.Batch, state.Optimizer.ParamGroups.Select(g => g.LearningRate).ToArray()));
    }
}

/// <summary>Stops training when the loss becomes NaN or infinite, naming the step and the last finite loss.</summary>
public sealed class NaNMonitor : ITrainingCallback
{
    private double? _lastFinite;

    /// <summary>The message of the stop, once it happened.</summary>
    public string? Message { get; private set; }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (trainingEvent != TrainingEvent.BatchEnd || state.LastBatchLoss is not { } loss) return;
        if (double.IsFinite(loss))
        {
            _lastFinite = loss;
            return;
        }
        Message = string.Create(CultureInfo.InvariantCulture,
            $"NaNMonitor: the loss became {loss} at batch {state.Timestamp.Batch} (epoch {state.Timestamp.Epoch}); the last finite loss was {(_lastFinite is { } f ? f.ToString("G6", CultureInfo.InvariantCulture) : "none (first batch)")}. Lower the learning rate, clip gradients or check the data.");
        state.RequestStop(Message);
    }
}

/// <summary>Appends one record per logged event to a JSON-lines or CSV file: training loss per batch, metrics per evaluation.</summary>
public sealed class MetricsLogger : ITrainingCallback, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly bool _csv;
    private readonly int _every;

    /// <summary>Creates the logger; the format follows the extension (<c>.csv</c>, otherwise JSON lines). Logs the loss every <paramref name="everyBatches"/> batches.</summary>
    public MetricsLogger(string path, int everyBatches = 1)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("MetricsLogger: the path must not be empty.", nameof(path));
        if (everyBatches < 1) throw new ArgumentOutOfRangeException(nameof(everyBatches), everyBatches, "MetricsLogger: everyBatches must be at least 1.");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        _csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        _every = everyBatches;
        _writer = new StreamWriter(path, append: false, Encoding.UTF8) { AutoFlush = true };
        if (_csv) _writer.WriteLine("kind,epoch,batch,sample,wall_seconds,name,value");
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (!state.IsRankZero) return; // data-parallel runs: only rank 0 logs
        var t = state.Timestamp;
        if (trainingEvent == TrainingEvent.BatchEnd && t.Batch % _every == 0 && state.LastBatchLoss is { } loss)
            Write("train", t, new Dictionary<string, double> { ["loss"] = loss, ["lr"] = state.Optimizer.ParamGroups.First().LearningRate });
        else if (trainingEvent == TrainingEvent.EvalEnd)
            Write("eval", t, state.Metrics);
    }

    private void Write(string kind, Timestamp t, IReadOnlyDictionary<string, double> values)
    {
        if (_csv)
        {
            foreach (var (k, v) in values)
                _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind},{t.Epoch},{t.Batch},{t.Sample},{t.TotalWallClock.TotalSeconds:0.###},{k},{v:R}"));
            return;
        }
        var record = new Dictionary<string, object> { ["kind"] = kind, ["epoch"] = t.Epoch, ["batch"] = t.Batch, ["sample"] = t.Sample, ["wall_seconds"] = Math.Round(t.TotalWallClock.TotalSeconds, 3) };
        foreach (var (k, v) in values) record[k] = double.IsFinite(v) ? v : v.ToString(CultureInfo.InvariantCulture);
        _writer.WriteLine(JsonSerializer.Serialize(record));
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}

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
