using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Schedulers;

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
