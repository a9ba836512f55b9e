using System;

namespace Efficient.Training;

/// <summary>Argument checks shared by the sources and functions that take a data set as input and target tensors.</summary>
internal static class SampleArgs
{
    /// <summary>Throws when <paramref name="inputs"/> and <paramref name="targets"/> are scalars or differ in their first (sample) dimension.</summary>
    /// <exception cref="ArgumentException">The message gives both shapes; the parameter is <c>targets</c>.</exception>
    public static void ThrowIfNotPaired(Tensor inputs, Tensor targets)
    {
        if (inputs.dim() == 0 || targets.dim() == 0 || inputs.shape[0] != targets.shape[0])
            throw new ArgumentException($"Inputs and targets must share their first dimension (got [{string.Join(", ", inputs.shape)}] and [{string.Join(", ", targets.shape)}]).", nameof(targets));
    }
}
