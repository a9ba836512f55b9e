using System.Collections.Generic;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="RigLAlgorithm"/>.</summary>
public sealed class RigLOptions : IValidatableOptions
{
    /// <summary>
    /// S, the global sparsity of the sparse layers (the fraction of their weights that are zero), kept
    /// constant through training. Range [0, 1); default 0.8 (the paper reports 0.8 and 0.9 for ResNet-50).
    /// </summary>
    public double Sparsity { get; set; } = 0.8;

    /// <summary>How S is shared among the layers. Default <see cref="SparsityDistribution.ErdosRenyiKernel"/> (the paper's best).</summary>
    public SparsityDistribution Distribution { get; set; } = SparsityDistribution.ErdosRenyiKernel;

    /// <summary>α, the fraction of active connections replaced at the first update (then cosine-annealed to 0 at <see cref="End"/>). Range (0, 1]; default 0.3 (paper).</summary>
    public double DropFraction { get; set; } = 0.3;

    /// <summary>ΔT, how often the masks are updated (ep, ba, sp or dur; at least one batch). Default <c>100ba</c> (paper).</summary>
    public Duration UpdateInterval { get; set; } = Duration.Batches(100);

    /// <summary>T_end, when the mask updates stop (ep, ba, sp or dur; more than zero batches). Default <c>0.75dur</c> (paper).</summary>
    public Duration End { get; set; } = Duration.Fraction(0.75);

    /// <summary>The layer types whose <c>weight</c> is made sparse (biases never are). Default Linear and convolutions.</summary>
    public PrunableLayers Layers { get; set; } = PrunableLayers.LinearAndConvolution;

    /// <summary>
    /// Keep the first sparsifiable layer (in <c>named_modules()</c> order) dense, outside the sparsity budget,
    /// as the paper does for ResNet-50 (the input layer has few weights and is sensitive). Default true.
    /// </summary>
    public bool KeepFirstLayerDense { get; set; } = true;

    /// <summary>Modules to keep dense, by dotted name (a name also excludes the modules inside it). Default none.</summary>
    public IList<string> ExcludeNames { get; set; } = new List<string>();

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(RigLOptions))
            .Require(Sparsity >= 0 && Sparsity < 1, nameof(Sparsity), Sparsity, "a value in [0, 1)")
            .Require(System.Enum.IsDefined(Distribution), nameof(Distribution), Distribution, "Uniform or ErdosRenyiKernel")
            .Require(DropFraction > 0 && DropFraction <= 1, nameof(DropFraction), DropFraction, "a value in (0, 1]")
            .Require(UpdateInterval.Unit != TimeUnit.Token && UpdateInterval.Value > 0, nameof(UpdateInterval), UpdateInterval, "a positive duration in ep, ba, sp or dur")
            .Require(End.Unit != TimeUnit.Token && End.Value > 0, nameof(End), End, "a positive duration in ep, ba, sp or dur")
            .Require((Layers & ~PrunableLayers.LinearAndConvolution) == 0 && Layers != PrunableLayers.None, nameof(Layers), Layers, "Linear, Convolution or both")
            .NotNull(ExcludeNames, nameof(ExcludeNames));
        v.ThrowIfInvalid();
    }
}
