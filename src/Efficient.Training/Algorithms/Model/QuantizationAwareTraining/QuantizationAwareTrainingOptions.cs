using System.Collections.Generic;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="QuantizationAwareTrainingAlgorithm"/> and <see cref="QuantizationAwareTraining.Prepare"/>.</summary>
public sealed class QuantizationAwareTrainingOptions : IValidatableOptions
{
    /// <summary>How weights are quantized. Default per-channel symmetric (PyTorch's fbgemm QAT configuration).</summary>
    public QuantizationScheme WeightScheme { get; set; } = QuantizationScheme.PerChannelSymmetric;

    /// <summary>Bits of the (signed) weight integers. Range [2, 16]; default 8 ([−128, 127]).</summary>
    public int WeightBits { get; set; } = 8;

    /// <summary>Whether each wrapped layer's output is fake-quantized too. Default true.</summary>
    public bool QuantizeActivations { get; set; } = true;

    /// <summary>Bits of the (unsigned, affine) activation integers. Range [2, 16]; default 8 ([0, 255]).</summary>
    public int ActivationBits { get; set; } = 8;

    /// <summary>c, the averaging constant of the activation observers (moving average of min/max). Range (0, 1]; default 0.01 (PyTorch).</summary>
    public double ObserverAveragingConstant { get; set; } = 0.01;

    /// <summary>When fake quantization starts; before it the wrapped layers train in float and observe nothing. Default <c>0ba</c> (from the start).</summary>
    public Duration Start { get; set; } = Duration.Batches(0);

    /// <summary>When the observers freeze (scales and zero points fixed from then on), or null to never freeze. Default null.</summary>
    public Duration? FreezeObservers { get; set; }

    /// <summary>Wrap <c>Conv2d</c> layers. Default true.</summary>
    public bool WrapConvolutions { get; set; } = true;

    /// <summary>Wrap <c>Linear</c> layers. Default true.</summary>
    public bool WrapLinears { get; set; } = true;

    /// <summary>Modules not to wrap, by dotted name (a name also excludes the modules inside it). Default none.</summary>
    public IList<string> ExcludeNames { get; set; } = new List<string>();

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(QuantizationAwareTrainingOptions))
            .Require(System.Enum.IsDefined(WeightScheme), nameof(WeightScheme), WeightScheme, "PerTensorAffine, PerTensorSymmetric, PerChannelAffine or PerChannelSymmetric")
            .Require(WeightBits >= 2 && WeightBits <= 16, nameof(WeightBits), WeightBits, "a bit width in [2, 16]")
            .Require(ActivationBits >= 2 && ActivationBits <= 16, nameof(ActivationBits), ActivationBits, "a bit width in [2, 16]")
            .Require(ObserverAveragingConstant > 0 && ObserverAveragingConstant <= 1, nameof(ObserverAveragingConstant), ObserverAveragingConstant, "a value in (0, 1]")
            .NotNull(ExcludeNames, nameof(ExcludeNames))
            .ThrowIfInvalid();
}
