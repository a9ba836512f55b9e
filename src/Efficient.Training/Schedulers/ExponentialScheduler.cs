using System;

namespace Efficient.Training.Schedulers;

/// <summary>
/// Composer's <c>ExponentialScheduler</c>: the multiplier is <c>gamma^(t / decay_period)</c>, decaying
/// continuously (the optional warm-up overrides the start and does not shift the decay).
/// </summary>
public sealed class ExponentialScheduler : ComposerScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="gamma">The factor per decay period, finite and &gt; 0 (required).</param>
    /// <param name="decay_period">The time over which the multiplier falls by <paramref name="gamma"/> (default <c>1ep</c>).</param>
    /// <param name="t_warmup">Linear warm-up length (default none).</param>
    /// <param name="scale_warmup">Scale the warm-up by the scale-schedule ratio (default false).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ExponentialScheduler(double gamma, Duration? decay_period = null, Duration? t_warmup = null, bool scale_warmup = false) : base(t_warmup, scale_warmup)
    {
        Positive(gamma, nameof(gamma));
        this.gamma = gamma;
        this.decay_period = decay_period ?? Duration.Epochs(1);
        PositiveDuration(this.decay_period, nameof(decay_period));
    }

    /// <summary>The factor per decay period.</summary>
    public double gamma { get; }

    /// <summary>The time over which the multiplier falls by <see cref="gamma"/>.</summary>
    public Duration decay_period { get; }

    private protected override double AfterWarmup(SchedulerClock clock, SchedulerTime warmup)
    {
        var period = clock.Convert(decay_period, clock.Ssr);
        if (period.Value <= 0) return 1.0;
        return Math.Pow(gamma, clock.Elapsed(period.Unit) / period.Value);
    }
}
