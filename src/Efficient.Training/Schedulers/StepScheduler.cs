using System;

namespace Efficient.Training.Schedulers;

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
