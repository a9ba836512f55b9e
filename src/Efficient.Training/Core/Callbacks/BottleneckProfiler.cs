using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Efficient.Training;

/// <summary>
/// Splits training time into data wait, forward, loss, backward, optimizer step and each
/// algorithm's own time, names the dominant bottleneck and suggests a mitigation. With a logger, the
/// <see cref="Report"/> is logged when fit ends.
/// </summary>
public sealed class BottleneckProfiler : ITrainingCallback
{
    private readonly Microsoft.Extensions.Logging.ILogger? _logger;
    private readonly Dictionary<string, double> _seconds = new();
    private readonly Stopwatch _clock = new();
    private double _mark;
    private double _batchEnd = double.NaN;
    private long _batches;

    /// <summary>Creates the profiler; <paramref name="logger"/>, when given, receives the report when fit ends.</summary>
    public BottleneckProfiler(Microsoft.Extensions.Logging.ILogger? logger = null) => _logger = logger;

    /// <summary>Seconds spent per phase ("data wait", "forward", "loss", "backward", "optimizer step", "other", and "algorithm: X").</summary>
    public IReadOnlyDictionary<string, double> Seconds => Phases();

    /// <summary>The number of batches profiled.</summary>
    public long Batches => _batches;

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        var now = _clock.Elapsed.TotalSeconds;
        switch (trainingEvent)
        {
            case TrainingEvent.FitEnd when _logger is not null && state.IsRankZero && _batches > 0:
                TrainerLog.ProfileReport(_logger, Report());
                break;
            case TrainingEvent.FitStart:
                _clock.Start();
                _batchEnd = _clock.Elapsed.TotalSeconds;
                break;
            case TrainingEvent.BatchStart:
                if (!double.IsNaN(_batchEnd)) Add("data wait", now - _batchEnd);
                _mark = now;
                break;
            case TrainingEvent.BeforeForward:
            case TrainingEvent.BeforeLoss:
            case TrainingEvent.BeforeBackward:
            case TrainingEvent.BeforeOptimizerStep:
                Add("other", now - _mark);
                _mark = now;
                break;
            case TrainingEvent.AfterForward:
                Add("forward", now - _mark);
                _mark = now;
                break;
            case TrainingEvent.AfterLoss:
                Add("loss", now - _mark);
                _mark = now;
                break;
            case TrainingEvent.AfterBackward:
                Add("backward", now - _mark);
                _mark = now;
                break;
            case TrainingEvent.AfterOptimizerStep:
                Add("optimizer step", now - _mark);
                _mark = now;
                break;
            case TrainingEvent.BatchEnd:
                Add("other", now - _mark);
                _batches++;
                _batchEnd = _clock.Elapsed.TotalSeconds;
                if (state.Trace is { } trace) _traceSnapshot = trace.Entries;
                break;
            case TrainingEvent.EvalStart:
                _clock.Stop();
                break;
            case TrainingEvent.EvalEnd:
                _clock.Start();
                _batchEnd = _clock.Elapsed.TotalSeconds;
                break;
        }
    }

    private IReadOnlyList<AlgorithmTraceEntry> _traceSnapshot = Array.Empty<AlgorithmTraceEntry>();

    private void Add(string phase, double seconds)
    {
        _seconds.TryGetValue(phase, out var s);
        _seconds[phase] = s + Math.Max(0, seconds);
    }

    private Dictionary<string, double> Phases()
    {
        var result = new Dictionary<string, double>(_seconds);
        // Algorithm time is part of the phase it ran in; report it separately and take it out of that phase.
        foreach (var group in _traceSnapshot.GroupBy(e => e.Algorithm))
        {
            var own = group.Sum(e => e.OwnTime.TotalSeconds);
            result[$"algorithm: {group.Key}"] = own;
            foreach (var e in group)
            {
                var phase = e.Stage switch
                {
                    "Data.Transform" => "data wait",
                    "Regularization.Forward" => "forward",
                    "Loss.Loss" => "loss",
                    "Optimization.Step" => "optimizer step",
                    _ => "other",
                };
                if (result.TryGetValue(phase, out var v)) result[phase] = Math.Max(0, v - e.OwnTime.TotalSeconds);
            }
        }
        return result;
    }

    /// <summary>The dominant phase, or null before any batch.</summary>
    public string? Bottleneck => _batches == 0 ? null : Phases().OrderByDescending(kv => kv.Value).First().Key;

    /// <summary>A table of the phases with their share of the time, the bottleneck and a suggestion.</summary>
    public string Report()
    {
        var phases = Phases();
        var total = phases.Values.Sum();
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Bottleneck profile over {_batches} batches ({total:0.00} s):"));
        foreach (var (phase, s) in phases.OrderByDescending(kv => kv.Value))
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {phase,-28} {s,9:0.000} s  {(total > 0 ? s / total : 0),6:P1}"));
        if (Bottleneck is { } b) sb.AppendLine($"Bottleneck: {b}. {Suggest(b)}");
        return sb.ToString();
    }

    /// <summary>The mitigation suggested for a phase.</summary>
    public static string Suggest(string phase) => phase switch
    {
        "data wait" => "The model waits for data: prefetch on more DataLoader workers, cache decoded samples, move augmentation to batched tensor ops, or reuse each loaded batch with DataEchoing (data echoing, Choi et al. 2019; augment after echoing).",
        "forward" or "backward" => "Compute bound: shrink the work per step (ProgressiveResizing, SelectiveBackprop, LayerFreezing, SeqLengthWarmup), use ChannelsLast and bf16 where the device supports them.",
        "loss" => "The loss is unusually expensive: compute it on fewer outputs (e.g. only masked tokens) or fuse its parts.",
        "optimizer step" => "Optimizer bound: use a fused/native optimizer, fewer but larger parameter tensors, or a larger batch with gradient accumulation.",
        _ when phase.StartsWith("algorithm: ", StringComparison.Ordinal) => $"{phase["algorithm: ".Length..]} costs the most: apply it less often, on a subset of the batch, or check that it runs in batched tensor ops.",
        _ => "Time outside the training phases dominates (callbacks, logging, evaluation hooks): log less often.",
    };
}
