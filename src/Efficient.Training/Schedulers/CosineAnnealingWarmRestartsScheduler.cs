using System;

namespace Efficient.Training.Schedulers;

/// <summary>
/// Composer's <c>CosineAnnealingWarmRestartsScheduler</c> (SGDR, Loshchilov &amp; Hutter, 2017): cosine
/// decays from 1 to <see cref="alpha_f"/> over intervals of length <see cref="t_0"/>, each
/// <see cref="t_mult"/> times longer than the last (lengths truncated to whole counts), restarting at 1.
/// The optional warm-up overrides the start and does not shift the intervals.
/// </summary>
public sealed class CosineAnnealingWarmRestartsScheduler : ComposerScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="t_0">The length of the first interval (required, positive).</param>
    /// <param name="t_mult">The growth of each next interval, in [1, +inf) (default 1).</param>
    /// <param name="alpha_f">The multiplier at the end of each interval, finite (default 0).</param>
    /// <param name="t_warmup">Linear warm-up length (default none).</param>
    /// <param name="scale_warmup">Scale the warm-up by the scale-schedule ratio (default false).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public CosineAnnealingWarmRestartsScheduler(Duration t_0, double t_mult = 1.0, double alpha_f = 0.0, Duration? t_warmup = null, bool scale_warmup = false) : base(t_warmup, scale_warmup)
    {
        PositiveDuration(t_0, nameof(t_0));
        if (!(t_mult >= 1) || double.IsPositiveInfinity(t_mult)) throw Invalid(nameof(t_mult), Show(t_mult), "a finite value in [1, +inf)");
        Finite(alpha_f, nameof(alpha_f));
        this.t_0 = t_0;
        this.t_mult = t_mult;
        this.alpha_f = alpha_f;
    }

    /// <summary>The length of the first interval.</summary>
    public Duration t_0 { get; }

    /// <summary>The growth of each next interval.</summary>
    public double t_mult { get; }

    /// <summary>The multiplier at the end of each interval.</summary>
    public double alpha_f { get; }

    private protected override double AfterWarmup(SchedulerClock clock, SchedulerTime warmup)
    {
        var t0 = clock.Convert(t_0, clock.Ssr);
        if (t0.Value <= 0) return 1.0;
        var now = clock.Elapsed(t0.Unit);
        var length = t0.Value;
        var end = t0.Value;
        while (end <= now)
        {
            length = Math.Floor(t_mult * length);
            end += length;
        }
        var start = end - length;
        return CosineAnneal((now - start) / (end - start), alpha_f);
    }
}
