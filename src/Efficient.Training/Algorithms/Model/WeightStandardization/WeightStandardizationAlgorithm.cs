using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="WeightStandardization"/>: at fit start (and again before a resume),
/// replaces the Conv2d layers but the last <see cref="WeightStandardizationOptions.NLastLayersIgnore"/>
/// by <see cref="StandardizedConv2d"/> and reports how many ("WeightStandardization: standardized 4 convs").
/// </summary>
public sealed class WeightStandardizationAlgorithm : IModelAlgorithm
{
    private readonly int _ignore;
    private readonly double _eps;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public WeightStandardizationAlgorithm(WeightStandardizationOptions? options = null)
    {
        options ??= new WeightStandardizationOptions();
        options.Validate();
        _ignore = options.NLastLayersIgnore;
        _eps = options.Eps;
    }

    /// <inheritdoc />
    public string Name => "WeightStandardization";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        var count = surgery.ReplaceAll(WeightStandardization.Selector(model, _ignore, _eps));
        surgery.Note($"standardized {SurgeryHelpers.Count(count, "conv")}");
    }
}
