using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Low-precision GroupNorm (Composer's LowPrecisionGroupNorm): under bf16/fp16 autocast, GroupNorm layers otherwise
/// run in float32 (autocast does not lower them, or casts them back up); replacing them by
/// <see cref="LPGroupNorm"/> keeps them in the lower precision, saving memory traffic and time.
/// </summary>
public static class LowPrecisionGroupNorm
{
    /// <summary>
    /// Replaces every GroupNorm below <paramref name="model"/> (not the model itself) by an
    /// <see cref="LPGroupNorm"/>. The replacements keep the original parameters (same objects, same
    /// names), so an optimizer built before stays valid; outside autocast the model computes exactly
    /// what it did.
    /// </summary>
    /// <param name="model">The model to change in place.</param>
    /// <returns>How many layers were replaced (0 when there are none).</returns>
    public static int Apply(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return SurgeryHelpers.ReplaceAll(model, (_, m) => Replacement(m));
    }

    /// <summary>The replacement for <paramref name="module"/>, or null when it is not a GroupNorm.</summary>
    internal static nn.Module? Replacement(nn.Module module) => module is GroupNorm norm ? new LPGroupNorm(norm) : null;
}
