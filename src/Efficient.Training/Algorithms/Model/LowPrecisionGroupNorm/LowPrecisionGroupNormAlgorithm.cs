using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="LowPrecisionGroupNorm"/>: at fit start (and again before a resume),
/// replaces every GroupNorm by <see cref="LPGroupNorm"/> and reports how many
/// ("LowPrecisionGroupNorm: replaced 2 GroupNorms"). It pays off with <c>Precision.Bf16Autocast</c>; in
/// float32 runs the replacements compute exactly what the originals did.
/// </summary>
public sealed class LowPrecisionGroupNormAlgorithm : IModelAlgorithm
{
    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public LowPrecisionGroupNormAlgorithm(LowPrecisionGroupNormOptions? options = null)
    {
        options ??= new LowPrecisionGroupNormOptions();
        options.Validate();
    }

    /// <inheritdoc />
    public string Name => "LowPrecisionGroupNorm";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        var count = surgery.ReplaceAll((_, m) => LowPrecisionGroupNorm.Replacement(m));
        surgery.Note($"replaced {SurgeryHelpers.Count(count, "GroupNorm")}");
    }
}
