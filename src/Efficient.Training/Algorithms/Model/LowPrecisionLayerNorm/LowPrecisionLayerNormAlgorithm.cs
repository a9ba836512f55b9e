using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="LowPrecisionLayerNorm"/>: at fit start (and again before a resume),
/// replaces every LayerNorm by <see cref="LPLayerNorm"/> and reports how many
/// ("LowPrecisionLayerNorm: replaced 2 LayerNorms"). It pays off with <c>Precision.Bf16Autocast</c>; in
/// float32 runs the replacements compute exactly what the originals did.
/// </summary>
public sealed class LowPrecisionLayerNormAlgorithm : IModelAlgorithm
{
    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public LowPrecisionLayerNormAlgorithm(LowPrecisionLayerNormOptions? options = null)
    {
        options ??= new LowPrecisionLayerNormOptions();
        options.Validate();
    }

    /// <inheritdoc />
    public string Name => "LowPrecisionLayerNorm";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        var count = surgery.ReplaceAll((_, m) => LowPrecisionLayerNorm.Replacement(m));
        surgery.Note($"replaced {SurgeryHelpers.Count(count, "LayerNorm")}");
    }
}
