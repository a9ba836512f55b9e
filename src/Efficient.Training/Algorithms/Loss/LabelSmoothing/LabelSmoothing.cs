using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Label smoothing (Szegedy et al., 2016): replaces the one-hot target by
/// <c>(1 - α)·onehot + α / K</c>, so the model is not pushed towards infinitely confident logits.
/// </summary>
public static class LabelSmoothing
{
    /// <summary>
    /// Returns smoothed probability targets of shape <c>[..., numClasses]</c> (float32, or the
    /// dtype of floating-point <paramref name="targets"/>).
    /// </summary>
    /// <param name="targets">Class indices (any integer shape) or probabilities whose last dimension is <paramref name="numClasses"/>.</param>
    /// <param name="numClasses">The number of classes K (≥ 1).</param>
    /// <param name="smoothing">α in [0, 1]: the probability mass spread uniformly over all classes.</param>
    public static Tensor SmoothLabels(Tensor targets, long numClasses, double smoothing = 0.1)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "The number of classes must be at least 1.");
        if (!(smoothing >= 0 && smoothing <= 1)) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "The smoothing must be in [0, 1].");
        Tensor probabilities;
        if (targets.is_floating_point())
        {
            if (targets.dim() == 0 || targets.shape[^1] != numClasses)
                throw new ArgumentException($"Probability targets must have {numClasses} classes in their last dimension (got shape [{string.Join(", ", targets.shape)}]).", nameof(targets));
            probabilities = targets;
        }
        else
        {
            probabilities = nn.functional.one_hot(targets.to_type(ScalarType.Int64), numClasses).to_type(ScalarType.Float32);
        }
        return probabilities * (1 - smoothing) + smoothing / numClasses;
    }
}
