using System;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="GatedLinearUnitsAlgorithm"/> (Composer's <c>GatedLinearUnits</c>).</summary>
public sealed class GatedLinearUnitsOptions : IValidatableOptions
{
    /// <summary>Activation of the gated branch (Composer <c>act_fn</c>). Default <see cref="GluActivation.Gelu"/>.</summary>
    public GluActivation Activation { get; set; } = GluActivation.Gelu;

    /// <summary>Whether the gated branch has a bias (Composer <c>gated_layer_bias</c>). Default false.</summary>
    public bool GatedLayerBias { get; set; }

    /// <summary>Whether the linear (non-gated) branch has a bias (Composer <c>non_gated_layer_bias</c>). Default false.</summary>
    public bool NonGatedLayerBias { get; set; }

    /// <summary>
    /// Inner dimension of the new blocks. Default null: the replaced block's (as Composer, which adds
    /// parameters); Shazeer keeps the parameter count by using ⅔ of it. Range ≥ 1.
    /// </summary>
    public long? IntermediateSize { get; set; }

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(GatedLinearUnitsOptions));
        v.Require(Enum.IsDefined(Activation), nameof(Activation), Activation, "one of " + string.Join(", ", Enum.GetNames<GluActivation>()));
        v.Require(IntermediateSize is null || IntermediateSize >= 1, nameof(IntermediateSize), IntermediateSize, "null or an integer >= 1");
        v.ThrowIfInvalid();
    }
}
