using System;

namespace Efficient.Training.Schedulers;

/// <summary>
/// Composer's <c>PolynomialScheduler</c> / <c>PolynomialWithWarmupScheduler</c>:
/// <c>alpha_f + (1 − alpha_f)·(1 − f)^power</c> with f the fraction of <see cref="t_max"/> elapsed
/// (after the warm-up, of t_max − t_warmup), clamped to [0, 1].
/// </summary>
public sealed class PolynomialScheduler : ComposerScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="power">The exponent, finite and ≥ 0 (required, as in Composer; 2 is common).</param>
    /// <param name="t_max">The length of the decay (default <c>1dur</c>).</param>
    /// <param name="alpha_f">The final multiplier, finite (default 0).</param>
    /// <param name="t_warmup">Linear warm-up length (default none).</param>
    /// <param name="scale_warmup">Scale the warm-up by the scale-schedule ratio (default false).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public PolynomialScheduler(double power, Duration? t_max = null, double alpha_f = 0.0, Duration? t_warmup = null, bool scale_warmup = false) : base(t_warmup, scale_warmup)
    {
        if (!(power >= 0) || double.IsPositiveInfinity(power)) throw Invalid(nameof(power), Show(power), "a finite value in [0, +inf)");
        Finite(alpha_f, nameof(alpha_f));
        this.power = power;
        this.alpha_f = alpha_f;
        this.t_max = t_max ?? Duration.Fraction(1);
        PositiveDuration(this.t_max, nameof(t_max));
    }

    /// <summary>The exponent.</summary>
    public double power { get; }

    /// <summary>The length of the decay.</summary>
    public Duration t_max { get; }

    /// <summary>The final multiplier.</summary>
    public double alpha_f { get; }

    private protected override double AfterWarmup(SchedulerClock clock, SchedulerTime warmup)
    {
        var frac = Fraction(clock, clock.Convert(t_max, clock.Ssr), warmup, nameof(t_max));
        return alpha_f + (1 - alpha_f) * Math.Pow(1 - frac, power);
    }
}
