using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Ghost batch normalisation (Hoffer et al., 2017): batch normalisation layers compute their
/// training statistics over small "ghost" batches instead of the whole batch, which regularises
/// like small-batch training while keeping large-batch throughput. Evaluation is unchanged.
/// </summary>
public static class GhostBatchNorm
{
    /// <summary>
    /// Replaces every BatchNorm1d/2d/3d below <paramref name="model"/> (not the model itself) by a
    /// <see cref="GhostBatchNormLayer"/> with ghost batch size <paramref name="ghostBatchSize"/>.
    /// The replacements keep the original parameters and buffers (same objects, same names), so an
    /// optimizer built before stays valid. Layers already replaced are left alone.
    /// </summary>
    /// <param name="model">The model to change in place.</param>
    /// <param name="ghostBatchSize">Samples per ghost batch, at least 1 (Composer's default 32).</param>
    /// <returns>How many layers were replaced (0 when the model has no batch normalisation).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ghostBatchSize"/> is below 1.</exception>
    public static int Apply(nn.Module model, long ghostBatchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckGhostBatchSize(ghostBatchSize);
        return SurgeryHelpers.ReplaceAll(model, (_, m) => Replacement(m, ghostBatchSize));
    }

    /// <summary>The replacement for <paramref name="module"/>, or null when it is not batch normalisation.</summary>
    internal static nn.Module? Replacement(nn.Module module, long ghostBatchSize) =>
        module is BatchNorm bn ? new GhostBatchNormLayer(bn, ghostBatchSize) : null;

    internal static void CheckGhostBatchSize(long ghostBatchSize)
    {
        if (ghostBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(ghostBatchSize), ghostBatchSize, $"The ghost batch size is {ghostBatchSize}; expected at least 1.");
    }
}
