using System;
using System.Collections.Generic;
using System.Linq;

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

/// <summary>
/// Composer's <c>StepScheduler</c>: the multiplier is <c>gamma^floor(t / step_size)</c> (the optional
/// warm-up overrides the start and does not shift the steps).
/// </summary>
public sealed class StepScheduler : ComposerScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="step_size">The period of the decay (required, positive).</param>
    /// <param name="gamma">The factor applied at each step, finite and ≥ 0 (default 0.1).</param>
    /// <param name="t_warmup">Linear warm-up length (default none).</param>
    /// <param name="scale_warmup">Scale the warm-up by the scale-schedule ratio (default false).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public StepScheduler(Duration step_size, double gamma = 0.1, Duration? t_warmup = null, bool scale_warmup = false) : base(t_warmup, scale_warmup)
    {
        PositiveDuration(step_size, nameof(step_size));
        if (!(gamma >= 0) || double.IsPositiveInfinity(gamma)) throw Invalid(nameof(gamma), Show(gamma), "a finite value in [0, +inf)");
        this.step_size = step_size;
        this.gamma = gamma;
    }

    /// <summary>The period of the decay.</summary>
    public Duration step_size { get; }

    /// <summary>The factor applied at each step.</summary>
    public double gamma { get; }

    private protected override double AfterWarmup(SchedulerClock clock, SchedulerTime warmup)
    {
        var size = clock.Convert(step_size, clock.Ssr);
        if (size.Value <= 0) return 1.0;
        return Math.Pow(gamma, Math.Floor(clock.Elapsed(size.Unit) / size.Value));
    }
}

/// <summary>
/// Composer's <c>MultiStepScheduler</c> / <c>MultiStepWithWarmupScheduler</c>: the multiplier is
/// <c>gamma^n</c> with n the number of <see cref="milestones"/> reached (the optional warm-up
/// overrides the start and does not shift the milestones).
/// </summary>
public sealed class MultiStepScheduler : ComposerScheduler
{
    private readonly Duration[] _milestones;

    /// <summary>Creates the schedule.</summary>
    /// <param name="milestones">The times at which to multiply by <paramref name="gamma"/> (required, at least one).</param>
    /// <param name="gamma">The factor applied at each milestone, finite and ≥ 0 (default 0.1).</param>
    /// <param name="t_warmup">Linear warm-up length (default none).</param>
    /// <param name="scale_warmup">Scale the warm-up by the scale-schedule ratio (default false).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MultiStepScheduler(IEnumerable<Duration> milestones, double gamma = 0.1, Duration? t_warmup = null, bool scale_warmup = false) : base(t_warmup, scale_warmup)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = milestones.ToArray();
        if (_milestones.Length == 0) throw Invalid(nameof(milestones), "[]", "at least one milestone");
        if (!(gamma >= 0) || double.IsPositiveInfinity(gamma)) throw Invalid(nameof(gamma), Show(gamma), "a finite value in [0, +inf)");
        this.gamma = gamma;
    }

    /// <summary>The times at which the multiplier is multiplied by <see cref="gamma"/>.</summary>
    public IReadOnlyList<Duration> milestones => _milestones;

    /// <summary>The factor applied at each milestone.</summary>
    public double gamma { get; }

    private protected override double AfterWarmup(SchedulerClock clock, SchedulerTime warmup)
    {
        var factor = 1.0;
        foreach (var m in _milestones)
        {
            var milestone = clock.Convert(m, clock.Ssr);
            if (clock.Elapsed(milestone.Unit) >= milestone.Value) factor *= gamma;
        }
        return factor;
    }
}

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
