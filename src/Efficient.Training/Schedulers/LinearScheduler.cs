using System;

namespace Efficient.Training.Schedulers;

/// <summary>
/// Composer's <c>LinearScheduler</c> / <c>LinearWithWarmupScheduler</c>: the multiplier moves
/// linearly from <see cref="alpha_i"/> to <see cref="alpha_f"/> over <see cref="t_max"/> (after the
/// warm-up, over t_max − t_warmup), then stays at <see cref="alpha_f"/>.
/// </summary>
public sealed class LinearScheduler : ComposerScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="alpha_i">The initial multiplier, finite (default 1).</param>
    /// <param name="alpha_f">The final multiplier, finite (default 0).</param>
    /// <param name="t_max">When the final multiplier is reached (default <c>1dur</c>).</param>
    /// <param name="t_warmup">Linear warm-up length (default none).</param>
    /// <param name="scale_warmup">Scale the warm-up by the scale-schedule ratio (default false).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public LinearScheduler(double alpha_i = 1.0, double alpha_f = 0.0, Duration? t_max = null, Duration? t_warmup = null, bool scale_warmup = false) : base(t_warmup, scale_warmup)
    {
        Finite(alpha_i, nameof(alpha_i));
        Finite(alpha_f, nameof(alpha_f));
        this.alpha_i = alpha_i;
        this.alpha_f = alpha_f;
        this.t_max = t_max ?? Duration.Fraction(1);
        PositiveDuration(this.t_max, nameof(t_max));
    }

    /// <summary>The initial multiplier.</summary>
    public double alpha_i { get; }

    /// <summary>The final multiplier.</summary>
    public double alpha_f { get; }

    /// <summary>When the final multiplier is reached.</summary>
    public Duration t_max { get; }

    private protected override double AfterWarmup(SchedulerClock clock, SchedulerTime warmup)
    {
        var frac = Fraction(clock, clock.Convert(t_max, clock.Ssr), warmup, nameof(t_max));
        return alpha_i + (alpha_f - alpha_i) * frac;
    }
}
