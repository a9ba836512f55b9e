using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// A mixed batch and what the loss needs: train on <see cref="Input"/> and use
/// <see cref="Loss"/>, i.e. <c>λ·L(outputs, TargetA) + (1 − λ)·L(outputs, TargetB)</c>.
/// </summary>
/// <param name="Input">The mixed input.</param>
/// <param name="TargetA">The original targets (weight <paramref name="Lambda"/>).</param>
/// <param name="TargetB">The targets of the permuted samples (weight 1 − <paramref name="Lambda"/>).</param>
/// <param name="Lambda">λ in [0, 1]: the share of the original samples in the mix.</param>
/// <param name="Permutation">The permutation of the batch that gave the mixing partners.</param>
public sealed record MixedBatch(Tensor Input, Tensor TargetA, Tensor TargetB, double Lambda, Tensor Permutation)
{
    /// <summary>The interpolated loss <c>λ·loss(outputs, TargetA) + (1 − λ)·loss(outputs, TargetB)</c>; works with index targets and any loss.</summary>
    public Tensor Loss(Tensor outputs, Func<Tensor, Tensor, Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return MixUp.InterpolateLoss(loss(outputs, TargetA), loss(outputs, TargetB), Lambda);
    }
}

/// <summary>
/// MixUp (Zhang et al., 2018): trains on convex combinations <c>λ·x + (1 − λ)·x[π]</c> of pairs of
/// samples, with the loss interpolated the same way, λ ~ Beta(α, α).
/// </summary>
public static class MixUp
{
    /// <summary>Draws λ ~ Beta(<paramref name="alpha"/>, <paramref name="alpha"/>) from <paramref name="generator"/> (libtorch's default generator when null).</summary>
    public static double SampleLambda(double alpha, Generator? generator = null)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be a finite value > 0.");
        return MixingSampler.Beta(alpha, generator);
    }

    /// <summary>
    /// Mixes <paramref name="input"/> with itself permuted: <c>λ·input + (1 − λ)·input[permutation]</c>.
    /// </summary>
    /// <param name="input">The batch input; dimension 0 is the batch.</param>
    /// <param name="target">The targets (any type: class indices, probabilities, ...); dimension 0 is the batch.</param>
    /// <param name="lambda">λ in [0, 1], the weight of the original samples.</param>
    /// <param name="permutation">An int64 permutation of the batch indices (e.g. <c>randperm(n)</c>).</param>
    public static MixedBatch MixBatch(Tensor input, Tensor target, double lambda, Tensor permutation)
    {
        MixingSampler.CheckArguments(input, target, lambda, permutation);
        var mixed = input * lambda + input.index_select(0, permutation) * (1 - lambda);
        return new MixedBatch(mixed, target, target.index_select(0, permutation), lambda, permutation);
    }

    /// <summary>Like <see cref="MixBatch(Tensor, Tensor, double, Tensor)"/>, drawing λ ~ Beta(α, α) and the permutation from <paramref name="generator"/>.</summary>
    public static MixedBatch MixBatch(Tensor input, Tensor target, double alpha, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var lambda = SampleLambda(alpha, generator);
        return MixBatch(input, target, lambda, randperm(input.shape[0], generator: generator));
    }

    /// <summary>The interpolated loss <c>λ·lossA + (1 − λ)·lossB</c>.</summary>
    public static Tensor InterpolateLoss(Tensor lossA, Tensor lossB, double lambda)
    {
        ArgumentNullException.ThrowIfNull(lossA);
        ArgumentNullException.ThrowIfNull(lossB);
        return lossA * lambda + lossB * (1 - lambda);
    }
}
