using System;

namespace Efficient.Training;

/// <summary>
/// The loss block: wraps the loss computation of each microbatch. Call <c>next(outputs, target)</c>
/// zero or more times (label smoothing changes the target; MixUp interpolates two calls; distillation
/// adds a teacher term) and return the loss to back-propagate.
/// </summary>
public interface ILossAlgorithm : IAlgorithm
{
    /// <summary>Computes the loss, delegating to <paramref name="next"/> for the inner computation.</summary>
    Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> next);
}

/// <summary>
/// The regularization block: wraps the forward pass of each microbatch. Change the input
/// (<see cref="MicrobatchContext.Batch"/>) before calling <c>next</c>, or the output
/// after it; state for the loss stage goes in <see cref="MicrobatchContext.Items"/>.
/// </summary>
public interface IRegularizationAlgorithm : IAlgorithm
{
    /// <summary>Runs the forward pass through <paramref name="next"/> and returns the outputs.</summary>
    Tensor Forward(MicrobatchContext context, Func<Tensor> next);
}

/// <summary>
/// The optimization block: wraps each optimizer step (after the gradients of all microbatches
/// are accumulated). Clip or rescale gradients before <c>next</c>, update averaged
/// weights after it, or re-evaluate the loss with <see cref="StepContext.RecomputeGradients"/> (SAM).
/// </summary>
public interface IOptimizationAlgorithm : IAlgorithm
{
    /// <summary>Performs the step by calling <paramref name="next"/> (normally exactly once).</summary>
    void Step(StepContext context, Action next);
}
