using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

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
