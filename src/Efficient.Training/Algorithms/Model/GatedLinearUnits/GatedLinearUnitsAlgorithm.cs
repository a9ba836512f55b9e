namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="GatedLinearUnits"/>: in the model block, replaces every
/// feed-forward block with a policy in <see cref="GatedLinearUnits.Policies"/> (any
/// <see cref="IFeedForward"/>, such as <see cref="Models.BertFeedForward"/>) by a gated feed-forward block at fit start (and again on
/// resume, before the weights load). Models without one are left alone ("replaced 0 ...").
/// </summary>
public sealed class GatedLinearUnitsAlgorithm : IModelAlgorithm
{
    private readonly GatedLinearUnitsOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public GatedLinearUnitsAlgorithm(GatedLinearUnitsOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new GatedLinearUnitsOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "GatedLinearUnits";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        System.ArgumentNullException.ThrowIfNull(model);
        System.ArgumentNullException.ThrowIfNull(surgery);
        var count = GatedLinearUnits.Policies.Apply(surgery, _options);
        surgery.Note($"replaced {count} feed-forward blocks with gated linear units ({_options.Activation})");
    }
}
