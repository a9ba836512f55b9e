using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Efficient.Training.Schedulers;

/// <summary>
/// A Composer-style learning-rate schedule: the LR <em>multiplier</em> (of each parameter group's
/// initial LR) as a function of the run's time — its <see cref="Timestamp"/>, maximum duration,
/// batches per epoch and scale-schedule ratio — with an optional linear warm-up from 0 to 1 over
/// <see cref="t_warmup"/>. Because it is a pure function of time, a schedule honours the
/// scale-schedule ratio by itself and resumes exactly from a checkpoint without replaying steps.
/// <para>
/// Times are given as <see cref="Duration"/>s (<c>"1dur"</c>, <c>"100ba"</c>, <c>"2ep"</c>, ...) and converted
/// as Composer's <c>_convert_time</c> does: a <c>dur</c> fraction is taken of the (already scaled)
/// maximum duration (in batches when the maximum is in epochs and the epoch length is known);
/// other times are multiplied by the scale-schedule ratio (the warm-up only with
/// <see cref="scale_warmup"/>), epochs first becoming batches when the epoch length is known; counts
/// are truncated to whole numbers.
/// </para>
/// Use it with the Trainer through <see cref="Attach(optim.Optimizer, TrainingState)"/> in
/// <see cref="TrainerOptions.Schedulers"/> (stepped per batch), or in a hand-written loop through
/// <see cref="Attach(optim.Optimizer, Func{Timestamp}, Duration, long?, double)"/> or <see cref="Multiplier(Timestamp, Duration, long?, double)"/>.
/// Property names follow Composer (<c>t_max</c>, <c>alpha_f</c>, <c>gamma</c>, ...).
/// </summary>
public abstract class ComposerScheduler
{
    /// <summary>Sets the warm-up.</summary>
    /// <param name="t_warmup">The warm-up length (default none: <c>0ba</c>).</param>
    /// <param name="scale_warmup">Multiply the warm-up by the scale-schedule ratio (default false, as Composer).</param>
    private protected ComposerScheduler(Duration? t_warmup, bool scale_warmup)
    {
        this.t_warmup = t_warmup ?? Duration.Batches(0);
        this.scale_warmup = scale_warmup;
    }

    /// <summary>The length of the linear warm-up from 0 to the schedule (0: none).</summary>
    public Duration t_warmup { get; }

    /// <summary>Whether the warm-up is multiplied by the scale-schedule ratio.</summary>
    public bool scale_warmup { get; }

    /// <summary>The LR multiplier at the current time of <paramref name="state"/>.</summary>
    public double Multiplier(TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Multiplier(state.Timestamp, state.MaxDuration, state.BatchesPerEpoch, state.ScaleScheduleRatio);
    }

    /// <summary>The LR multiplier at <paramref name="now"/>.</summary>
    /// <param name="now">The time.</param>
    /// <param name="maxDuration">The run's maximum duration, already multiplied by the scale-schedule ratio (ep, ba, sp or tok).</param>
    /// <param name="batchesPerEpoch">Batches per epoch, when known (epochs are then counted in batches).</param>
    /// <param name="scaleScheduleRatio">The scale-schedule ratio, in (0, +inf) (default 1).</param>
    /// <exception cref="ArgumentException">An argument is out of range, or two times of the schedule cannot be compared (different units).</exception>
    public double Multiplier(Timestamp now, Duration maxDuration, long? batchesPerEpoch = null, double scaleScheduleRatio = 1.0)
    {
        ArgumentNullException.ThrowIfNull(now);
        if (maxDuration.Unit == TimeUnit.Duration || maxDuration.Value <= 0)
            throw new ArgumentException($"Invalid maximum duration: maxDuration = {maxDuration}; expected a positive duration in ep, ba, sp or tok.", nameof(maxDuration));
        if (batchesPerEpoch is <= 0)
            throw new ArgumentException($"Invalid epoch length: batchesPerEpoch = {batchesPerEpoch}; expected null (unknown) or a value in [1, +inf).", nameof(batchesPerEpoch));
        if (!(scaleScheduleRatio > 0) || double.IsPositiveInfinity(scaleScheduleRatio))
            throw new ArgumentException($"Invalid scale-schedule ratio: scaleScheduleRatio = {scaleScheduleRatio.ToString("R", CultureInfo.InvariantCulture)}; expected a finite value in (0, +inf).", nameof(scaleScheduleRatio));
        var clock = new SchedulerClock(now, maxDuration, batchesPerEpoch, scaleScheduleRatio);
        var warmup = clock.Convert(t_warmup, scale_warmup ? scaleScheduleRatio : 1.0);
        if (warmup.Value > 0)
        {
            var elapsed = clock.Elapsed(warmup.Unit);
            if (elapsed < warmup.Value) return elapsed / warmup.Value;
        }
        return AfterWarmup(clock, warmup);
    }

    /// <summary>The multiplier once the warm-up is over (<paramref name="warmup"/>: its converted length, 0 without one).</summary>
    private protected abstract double AfterWarmup(SchedulerClock clock, SchedulerTime warmup);

    /// <summary>
    /// An LR scheduler for the Trainer: it sets each parameter group's LR to its initial LR times
    /// <see cref="Multiplier(TrainingState)"/> at construction and on every <c>step()</c>. Return it from
    /// <see cref="TrainerOptions.Schedulers"/> with <see cref="TrainerOptions.SchedulerInterval"/> = Batch (the default).
    /// </summary>
    /// <param name="optimizer">The run's optimizer.</param>
    /// <param name="state">The run's state (the second argument of the <see cref="TrainerOptions.Schedulers"/> factory).</param>
    public ComposerLRScheduler Attach(optim.Optimizer optimizer, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        return new ComposerLRScheduler(optimizer, () => Multiplier(state));
    }

    /// <summary>An LR scheduler for a hand-written loop: each <c>step()</c> sets the LRs for the time <paramref name="now"/> returns.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="now">Returns the current time (e.g. a <see cref="Timestamp"/> advanced with <see cref="Timestamp.AfterBatch"/> before each step).</param>
    /// <param name="maxDuration">The run's maximum duration, already multiplied by the scale-schedule ratio.</param>
    /// <param name="batchesPerEpoch">Batches per epoch, when known.</param>
    /// <param name="scaleScheduleRatio">The scale-schedule ratio (default 1).</param>
    public ComposerLRScheduler Attach(optim.Optimizer optimizer, Func<Timestamp> now, Duration maxDuration, long? batchesPerEpoch = null, double scaleScheduleRatio = 1.0)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(now);
        return new ComposerLRScheduler(optimizer, () => Multiplier(now(), maxDuration, batchesPerEpoch, scaleScheduleRatio));
    }

    /// <summary>Composer's shifted fraction of a warm-up schedule: (now − warmup) / (t_max − warmup) clamped to [0, 1]; 0 when t_max ≤ warmup.</summary>
    private protected static double Fraction(SchedulerClock clock, SchedulerTime tMax, SchedulerTime warmup, string name)
    {
        var w = warmup.Value > 0 ? clock.InUnitOf(warmup, tMax, name) : 0;
        var now = clock.Elapsed(tMax.Unit);
        if (!(tMax.Value > w)) return warmup.Value > 0 ? 0.0 : 1.0;
        return Math.Clamp((now - w) / (tMax.Value - w), 0.0, 1.0);
    }

    /// <summary>Composer's cosine: min + (max − min)·(1 + cos(π·x)) / 2.</summary>
    private protected static double CosineAnneal(double x, double minY, double maxY = 1.0) => minY + (maxY - minY) * (1 + Math.Cos(x * Math.PI)) / 2;

    /// <summary>Throws unless <paramref name="value"/> is finite.</summary>
    private protected static void Finite(double value, string name)
    {
        if (!double.IsFinite(value)) throw Invalid(name, Show(value), "a finite value");
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and positive.</summary>
    private protected static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsPositiveInfinity(value)) throw Invalid(name, Show(value), "a finite value in (0, +inf)");
    }

    /// <summary>Throws unless <paramref name="value"/> is a positive duration.</summary>
    private protected static void PositiveDuration(Duration value, string name)
    {
        if (!(value.Value > 0)) throw Invalid(name, value.ToString(), "a positive duration such as \"1dur\", \"100ba\" or \"2ep\"");
    }

    private protected static ArgumentException Invalid(string name, string value, string expected) =>
        new($"Invalid scheduler option: {name} = {value}; expected {expected}.", name);

    private protected static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A schedule time after conversion: a value in a unit that a <see cref="Timestamp"/> counts.</summary>
internal readonly record struct SchedulerTime(double Value, TimeUnit Unit);

/// <summary>Converts schedule times as Composer's <c>_convert_time</c> and reads the elapsed time.</summary>
internal readonly struct SchedulerClock
{
    private readonly Timestamp _now;
    private readonly Duration _max;
    private readonly long? _batchesPerEpoch;

    public SchedulerClock(Timestamp now, Duration max, long? batchesPerEpoch, double ssr)
    {
        _now = now;
        _max = max;
        _batchesPerEpoch = batchesPerEpoch;
        Ssr = ssr;
    }

    public double Ssr { get; }

    /// <summary>Converts <paramref name="time"/> (a <c>dur</c> fraction of the maximum, else times <paramref name="ssr"/>).</summary>
    public SchedulerTime Convert(Duration time, double ssr)
    {
        if (time.Unit == TimeUnit.Duration)
        {
            if (_max.Unit == TimeUnit.Epoch)
                return _batchesPerEpoch is { } bpe
                    ? new(Math.Floor(time.Value * bpe * _max.Value), TimeUnit.Batch)
                    : new(time.Value * _max.Value, TimeUnit.Epoch);
            return new(Math.Floor(time.Value * _max.Value), _max.Unit);
        }
        var (value, unit) = (time.Value, time.Unit);
        if (unit == TimeUnit.Epoch && _batchesPerEpoch is { } perEpoch) (value, unit) = (Math.Floor(value * perEpoch), TimeUnit.Batch);
        return new(Math.Floor(value * ssr), unit);
    }

    /// <summary>The elapsed time in <paramref name="unit"/>.</summary>
    public double Elapsed(TimeUnit unit) => _now.Get(unit);

    /// <summary>The value of <paramref name="time"/> in the unit of <paramref name="reference"/>.</summary>
    public double InUnitOf(SchedulerTime time, SchedulerTime reference, string name)
    {
        if (time.Unit == reference.Unit) return time.Value;
        throw new ArgumentException(
            $"Invalid scheduler option: t_warmup is in '{Suffix(time.Unit)}' but {name} is in '{Suffix(reference.Unit)}' after conversion; expected both in the same unit (or either as a 'dur' fraction).", "t_warmup");
    }

    private static string Suffix(TimeUnit unit) => unit switch
    {
        TimeUnit.Epoch => "ep",
        TimeUnit.Batch => "ba",
        TimeUnit.Sample => "sp",
        TimeUnit.Token => "tok",
        _ => "dur",
    };
}

/// <summary>
/// The LR scheduler of a <see cref="ComposerScheduler"/>: sets each parameter group's learning rate
/// to its initial learning rate times the schedule's multiplier, at construction and on each
/// <c>step()</c>. It keeps no state of its own, so a resumed run gets identical learning rates.
/// </summary>
public sealed class ComposerLRScheduler : optim.lr_scheduler.LRScheduler
{
    private readonly optim.Optimizer _target;
    private readonly Func<double> _multiplier;

    internal ComposerLRScheduler(optim.Optimizer optimizer, Func<double> multiplier) : base(optimizer)
    {
        _target = optimizer;
        _multiplier = multiplier;
        step();
    }

    /// <summary>The multiplier applied by the latest step.</summary>
    public double LastMultiplier { get; private set; }

    /// <inheritdoc />
    protected override IEnumerable<double> get_lr()
    {
        LastMultiplier = _multiplier();
        return _target.ParamGroups.Select(g => g.InitialLearningRate * LastMultiplier).ToList();
    }
}
