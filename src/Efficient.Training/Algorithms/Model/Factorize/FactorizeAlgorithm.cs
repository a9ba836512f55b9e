using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="Factorize"/>: at fit start (and again before a resume loads the
/// checkpoint, so the factorized shapes match), factorizes the qualifying Conv2d and Linear layers
/// and reports how many ("Factorize: factorized 2 convs, 1 linear"). The Trainer builds the
/// optimizer after surgery, so it trains the new factors.
/// </summary>
public sealed class FactorizeAlgorithm : IModelAlgorithm
{
    private readonly FactorizeOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public FactorizeAlgorithm(FactorizeOptions? options = null)
    {
        options ??= new FactorizeOptions();
        options.Validate();
        _options = new FactorizeOptions
        {
            FactorizeConvs = options.FactorizeConvs,
            FactorizeLinears = options.FactorizeLinears,
            MinChannels = options.MinChannels,
            LatentChannels = options.LatentChannels,
            MinFeatures = options.MinFeatures,
            LatentFeatures = options.LatentFeatures,
        };
    }

    /// <inheritdoc />
    public string Name => "Factorize";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        int convs = 0, linears = 0;
        surgery.ReplaceAll((_, m) => Factorize.Replacement(m, _options, ref convs, ref linears));
        surgery.Note($"factorized {SurgeryHelpers.Count(convs, "conv")}, {SurgeryHelpers.Count(linears, "linear")}");
    }
}
