using System;
using Efficient.Training.Optimizers;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of LARC / LARS (You et al., 2017; NVIDIA apex's <c>LARC</c>) in the optimization
/// block: right before the inner step it rescales each parameter tensor's gradient by its layer-wise
/// trust ratio (<see cref="Lars.AdaptGradients(optim.Optimizer, double, LarsMode, double, double, bool)"/>),
/// whatever the optimizer, using each parameter group's current learning rate. It keeps no state
/// across batches (the trust ratio is recomputed every step; the optimizer's own state is checkpointed
/// by the Trainer). For the LARS optimizer itself (momentum SGD with the trust ratio), use <see cref="Lars"/>.
/// </summary>
public sealed class LarsAlgorithm : IOptimizationAlgorithm
{
    private readonly LarsOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once, and copied.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public LarsAlgorithm(LarsOptions? options = null)
    {
        options ??= new LarsOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "Lars";

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        Lars.AdaptGradients(context.State.Optimizer, _options.TrustCoefficient, _options.Mode, _options.WeightDecay, _options.Eps, _options.ExcludeOneDimensional);
        next();
    }
}
