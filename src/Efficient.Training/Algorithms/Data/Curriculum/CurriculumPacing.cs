using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>The shape of a curriculum schedule (DeepSpeed <c>schedule_type</c>).</summary>
public enum CurriculumPacingKind
{
    /// <summary>Fraction grows linearly from the minimum to the maximum (<c>fixed_linear</c>).</summary>
    FixedLinear,

    /// <summary>Fraction grows as (step / total)^(1 / degree) (<c>fixed_root</c>).</summary>
    FixedRoot,

    /// <summary>Fraction is a step function of the step (<c>fixed_discrete</c>).</summary>
    FixedDiscrete,
}

/// <summary>
/// DeepSpeed's curriculum-learning schedules: the fraction of the easiest samples available at a
/// step. All functions are pure.
/// </summary>
public static class CurriculumPacing
{
    /// <summary>
    /// DeepSpeed <c>fixed_linear</c>: <c>min + (max - min) * step / totalSteps</c>, capped at <paramref name="maxFraction"/>
    /// (reached at <paramref name="totalSteps"/> and kept after).
    /// </summary>
    public static double FixedLinear(long step, long totalSteps, double minFraction, double maxFraction)
        => FixedRoot(step, totalSteps, minFraction, maxFraction, 1);

    /// <summary>
    /// DeepSpeed <c>fixed_root</c>: <c>min + (max - min) * (step / totalSteps)^(1 / rootDegree)</c>, capped at
    /// <paramref name="maxFraction"/>.
    /// </summary>
    public static double FixedRoot(long step, long totalSteps, double minFraction, double maxFraction, double rootDegree)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "The total number of curriculum steps must be at least 1.");
        if (!(rootDegree >= 1)) throw new ArgumentOutOfRangeException(nameof(rootDegree), rootDegree, "The root degree must be at least 1.");
        var progress = Math.Clamp((double)Math.Max(0, step) / totalSteps, 0, 1);
        var f = minFraction + (maxFraction - minFraction) * Math.Pow(progress, 1.0 / rootDegree);
        return Math.Min(f, maxFraction);
    }

    /// <summary>
    /// DeepSpeed <c>fixed_discrete</c>: <c>fractions[i]</c> for the first <c>i</c> with <c>step &lt;= maxSteps[i]</c>,
    /// and the last fraction after the last boundary (so <c>fractions</c> has one more entry than <c>maxSteps</c>).
    /// </summary>
    public static double FixedDiscrete(long step, IReadOnlyList<double> fractions, IReadOnlyList<long> maxSteps)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        ArgumentNullException.ThrowIfNull(maxSteps);
        if (fractions.Count != maxSteps.Count + 1)
            throw new ArgumentException($"Discrete pacing needs one more fraction than boundaries (got {fractions.Count} fractions and {maxSteps.Count} boundaries).", nameof(fractions));
        for (var i = 0; i < maxSteps.Count; i++)
            if (step <= maxSteps[i]) return fractions[i];
        return fractions[^1];
    }

    /// <summary>The fraction at <paramref name="step"/> for the schedule described by <paramref name="options"/>.</summary>
    public static double Fraction(CurriculumOptions options, long step)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Pacing switch
        {
            CurriculumPacingKind.FixedLinear => FixedLinear(step, options.TotalSteps, options.MinFraction, options.MaxFraction),
            CurriculumPacingKind.FixedRoot => FixedRoot(step, options.TotalSteps, options.MinFraction, options.MaxFraction, options.RootDegree),
            CurriculumPacingKind.FixedDiscrete => FixedDiscrete(step, options.DiscreteFractions, options.DiscreteMaxSteps),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Pacing, "Unknown pacing kind."),
        };
    }

    /// <summary>How many of <paramref name="sampleCount"/> samples a fraction allows: <c>ceil(fraction * n)</c>, at least 1.</summary>
    public static long AvailableCount(double fraction, long sampleCount)
        => Math.Clamp((long)Math.Ceiling(Math.Clamp(fraction, 0, 1) * sampleCount - 1e-9), 1, Math.Max(1, sampleCount));
}
