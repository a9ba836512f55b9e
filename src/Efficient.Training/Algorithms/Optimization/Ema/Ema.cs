using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Exponential moving average of the weights (Polyak and Juditsky, 1992; as in Composer's EMA):
/// shadow weights <c>θ̄ ← s·θ̄ + (1 − s)·θ</c> updated after optimizer steps and used in place of
/// the trained weights for evaluation and as the final model. Usable in a hand-written loop:
/// <code>
/// using var shadow = ShadowWeights.Of(model);
/// var s = Ema.SmoothingFor(Duration.Parse("1000ba"), Duration.Parse("1ba"));
/// // after each optimizer.step():
/// Ema.Update(shadow, model, s);
/// // to evaluate:
/// shadow.SwapIn(model); Evaluate(model); shadow.SwapOut(model);
/// </code>
/// </summary>
public static class Ema
{
    /// <summary>
    /// The smoothing per update for a half-life: <c>s = 0.5^(updateInterval / halfLife)</c>, so the
    /// weight of an old value halves every <paramref name="halfLife"/>.
    /// </summary>
    /// <param name="halfLife">The half-life, in batches or epochs (&gt; 0).</param>
    /// <param name="updateInterval">The time between updates, in the same unit (&gt; 0).</param>
    /// <exception cref="ArgumentException">A unit is not ba or ep, the units differ, or a value is 0.</exception>
    public static double SmoothingFor(Duration halfLife, Duration updateInterval)
    {
        if (halfLife.Unit is not (TimeUnit.Batch or TimeUnit.Epoch) || halfLife.Value <= 0)
            throw new ArgumentException($"The half-life {halfLife} is invalid; expected a positive number of batches or epochs, e.g. '1000ba'.", nameof(halfLife));
        if (updateInterval.Unit != halfLife.Unit || updateInterval.Value <= 0)
            throw new ArgumentException($"The update interval {updateInterval} is invalid; expected a positive duration in the half-life's unit ('{Duration.Suffix(halfLife.Unit)}').", nameof(updateInterval));
        return Math.Pow(0.5, updateInterval.Value / halfLife.Value);
    }

    /// <summary>
    /// One EMA update, in place: <c>shadow ← smoothing·shadow + (1 − smoothing)·model</c> for every
    /// parameter and floating-point buffer; integer buffers (BatchNorm's <c>num_batches_tracked</c>)
    /// are copied. Call it after the optimizer step.
    /// </summary>
    /// <param name="shadow">The shadow weights (from <see cref="ShadowWeights.Of"/> on the same model); not swapped in.</param>
    /// <param name="model">The model being trained.</param>
    /// <param name="smoothing">s in [0, 1]: 0 copies the model, 1 keeps the shadow unchanged.</param>
    public static void Update(ShadowWeights shadow, nn.Module model, double smoothing)
    {
        ArgumentNullException.ThrowIfNull(shadow);
        ArgumentNullException.ThrowIfNull(model);
        if (!(smoothing >= 0 && smoothing <= 1)) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "The smoothing must be in [0, 1].");
        if (shadow.IsSwappedIn) throw new InvalidOperationException("The shadow weights are swapped into the model; call SwapOut before updating them.");
        var pairs = shadow.Pairs(model);
        using (no_grad())
        {
            foreach (var (_, s, live) in pairs)
            {
                if (s.is_floating_point()) s.mul_(smoothing).add_(live, 1 - smoothing);
                else s.copy_(live);
            }
        }
    }
}
