using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="GradientClipping"/>: in the optimization block, clips the model's
/// gradients (accumulated over all microbatches) before the inner step. Registered after
/// <see cref="SamAlgorithm"/> (an inner layer) it clips the SAM gradients; registered before, the
/// first-pass gradients that SAM's perturbation is computed from.
/// </summary>
public sealed class GradientClippingAlgorithm : IOptimizationAlgorithm
{
    private readonly GradientClippingOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid (the threshold is required).</exception>
    public GradientClippingAlgorithm(GradientClippingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "GradientClipping";

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        GradientClipping.Apply(context.State.Model, _options.ClippingType, _options.ClippingThreshold!.Value, _options.ExcludeFinalLayer, _options.AdaptiveEpsilon);
        next();
    }
}
