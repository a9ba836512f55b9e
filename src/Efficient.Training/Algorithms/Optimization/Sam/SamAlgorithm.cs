using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="Sam"/>: in the optimization block, on every
/// <see cref="SamOptions.Interval"/>-th step (the k-th, 2k-th, ... step, as Composer's
/// <c>(global_step + 1) % interval == 0</c>), perturbs the optimizer's parameters
/// along the gradient, recomputes the gradients over the whole batch with
/// <see cref="StepContext.RecomputeGradients"/> (all microbatches, with the loss and regularization
/// hooks), restores the parameters and lets the inner step run; works with any optimizer.
/// Algorithms registered before it (outer layers) see the SAM gradients after it returns; those
/// registered after it (inner layers) clip or rescale the SAM gradients before the optimizer step.
/// </summary>
public sealed class SamAlgorithm : IOptimizationAlgorithm
{
    private readonly SamOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public SamAlgorithm(SamOptions? options = null)
    {
        options ??= new SamOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "Sam";

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        // Timestamp.Batch counts the steps already taken: this is step Batch + 1.
        if ((context.State.Timestamp.Batch + 1) % _options.Interval != 0)
        {
            next();
            return;
        }
        using (NewDisposeScope())
        {
            using var perturbation = Sam.Perturb(context.State.Optimizer.parameters(), _options.Rho, _options.Epsilon);
            context.RecomputeGradients();
            perturbation.Restore();
        }
        next();
    }
}
