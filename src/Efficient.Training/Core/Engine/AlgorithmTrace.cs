using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Efficient.Training;

/// <summary>How often an algorithm ran at a stage and how much time it spent there (its own time, excluding inner hooks and the model).</summary>
public sealed record AlgorithmTraceEntry(string Algorithm, string Stage, long Calls, TimeSpan OwnTime);

/// <summary>Records which algorithm ran at which stage and for how long.</summary>
public sealed class AlgorithmTrace
{
    private readonly Dictionary<(string, string), (long calls, long ticks)> _totals = new();
    private readonly Stack<long> _innerTicks = new();

    /// <summary>All entries, in first-seen order.</summary>
    public IReadOnlyList<AlgorithmTraceEntry> Entries =>
        _totals.Select(kv => new AlgorithmTraceEntry(kv.Key.Item1, kv.Key.Item2, kv.Value.calls, TimeSpan.FromSeconds(kv.Value.ticks / (double)Stopwatch.Frequency))).ToList();

    /// <summary>Total own time of one algorithm across stages.</summary>
    public TimeSpan TimeOf(string algorithm) =>
        TimeSpan.FromSeconds(_totals.Where(kv => kv.Key.Item1 == algorithm).Sum(kv => kv.Value.ticks) / (double)Stopwatch.Frequency);

    /// <summary>Forgets everything recorded.</summary>
    public void Clear() => _totals.Clear();

    /// <summary>Runs <paramref name="body"/> as <paramref name="algorithm"/>'s hook at <paramref name="stage"/>; <paramref name="body"/> calls inner layers through <see cref="Inner{T}"/>.</summary>
    internal T Measure<T>(string algorithm, string stage, Func<T> body)
    {
        var start = Stopwatch.GetTimestamp();
        _innerTicks.Push(0);
        try
        {
            return body();
        }
        finally
        {
            var inner = _innerTicks.Pop();
            var own = Stopwatch.GetTimestamp() - start - inner;
            var key = (algorithm, stage);
            _totals.TryGetValue(key, out var t);
            _totals[key] = (t.calls + 1, t.ticks + Math.Max(0, own));
        }
    }

    /// <summary>Runs the inner layer of a hook (its time is not the hook's own time).</summary>
    internal T Inner<T>(Func<T> next)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return next();
        }
        finally
        {
            if (_innerTicks.Count > 0) _innerTicks.Push(_innerTicks.Pop() + (Stopwatch.GetTimestamp() - start));
        }
    }
}
