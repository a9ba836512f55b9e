using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="GhostBatchNorm"/>: at fit start (and again before a resume loads
/// the checkpoint), replaces every BatchNorm1d/2d/3d by a <see cref="GhostBatchNormLayer"/> and
/// reports how many ("GhostBatchNorm: replaced 3 batch norms with ghost batch size 32").
/// </summary>
public sealed class GhostBatchNormAlgorithm : IModelAlgorithm
{
    private readonly long _ghostBatchSize;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public GhostBatchNormAlgorithm(GhostBatchNormOptions? options = null)
    {
        options ??= new GhostBatchNormOptions();
        options.Validate();
        _ghostBatchSize = options.GhostBatchSize;
    }

    /// <inheritdoc />
    public string Name => "GhostBatchNorm";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        var count = surgery.ReplaceAll((_, m) => GhostBatchNorm.Replacement(m, _ghostBatchSize));
        surgery.Note($"replaced {SurgeryHelpers.Count(count, "batch norm")} with ghost batch size {_ghostBatchSize}");
    }
}
