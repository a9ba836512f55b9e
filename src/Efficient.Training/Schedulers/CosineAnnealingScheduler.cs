using System;

namespace Efficient.Training.Schedulers;

/// <summary>
/// Composer's <c>CosineAnnealingScheduler</c> / <c>CosineAnnealingWithWarmupScheduler</c>
/// (Loshchilov &amp; Hutter, 2017): <c>alpha_f + (1 − alpha_f)·(1 + cos(π·f)) / 2</c> with f the
/// fraction of <see cref="t_max"/> elapsed (after the warm-up, of t_max − t_warmup), clamped to
/// [0, 1] so the multiplier stays at <see cref="alpha_f"/> after <see cref="t_max"/>.
/// </summary>
public sealed class CosineAnnealingScheduler : ComposerScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="t_max">The length of the decay (default <c>1dur</c>).</param>
    /// <param name="alpha_f">The final multiplier, finite (default 0).</param>
    /// <param name="t_warmup">Linear warm-up length (default none).</param>
    /// <param name="scale_warmup">Scale the warm-up by the scale-schedule ratio (default false).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public CosineAnnealingScheduler(Duration? t_max = null, double alpha_f = 0.0, Duration? t_warmup = null, bool scale_warmup = false) : base(t_warmup, scale_warmup)
    {
        Finite(alpha_f, nameof(alpha_f));
        this.alpha_f = alpha_f;
        this.t_max = t_max ?? Duration.Fraction(1);
        PositiveDuration(this.t_max, nameof(t_max));
    }

    /// <summary>The length of the decay.</summary>
    public Duration t_max { get; }

    /// <summary>The final multiplier.</summary>
    public double alpha_f { get; }

    private protected override double AfterWarmup(SchedulerClock clock, SchedulerTime warmup)
        => CosineAnneal(Fraction(clock, clock.Convert(t_max, clock.Ssr), warmup, nameof(t_max)), alpha_f);
}
