using System;

namespace Efficient.Training.Schedulers;

/// <summary>
/// Composer's <c>ConstantScheduler</c> / <c>ConstantWithWarmupScheduler</c>: the multiplier is
/// <see cref="alpha"/> until <see cref="t_max"/>, then 1 (after the optional warm-up, not shifted by it).
/// </summary>
public sealed class ConstantScheduler : ComposerScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="alpha">The multiplier until <paramref name="t_max"/>, finite (default 1).</param>
    /// <param name="t_max">How long <paramref name="alpha"/> holds (default <c>1dur</c>).</param>
    /// <param name="t_warmup">Linear warm-up length (default none).</param>
    /// <param name="scale_warmup">Scale the warm-up by the scale-schedule ratio (default false).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ConstantScheduler(double alpha = 1.0, Duration? t_max = null, Duration? t_warmup = null, bool scale_warmup = false) : base(t_warmup, scale_warmup)
    {
        Finite(alpha, nameof(alpha));
        this.alpha = alpha;
        this.t_max = t_max ?? Duration.Fraction(1);
    }

    /// <summary>The multiplier until <see cref="t_max"/>.</summary>
    public double alpha { get; }

    /// <summary>How long <see cref="alpha"/> holds.</summary>
    public Duration t_max { get; }

    private protected override double AfterWarmup(SchedulerClock clock, SchedulerTime warmup)
    {
        var tMax = clock.Convert(t_max, clock.Ssr);
        return clock.Elapsed(tMax.Unit) < tMax.Value ? alpha : 1.0;
    }
}
