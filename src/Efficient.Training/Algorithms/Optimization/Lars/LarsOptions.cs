using System;

namespace Efficient.Training.Algorithms;

/// <summary>How <see cref="LarsAlgorithm"/> (LARC) turns the trust ratio into a gradient factor.</summary>
public enum LarsMode
{
    /// <summary>Multiply the gradient by the trust ratio r: the local learning rate is lr · r (LARS).</summary>
    Scale,

    /// <summary>Multiply the gradient by min(r / lr, 1): the local learning rate is min(r, lr) (LARC, apex's <c>clip=True</c>).</summary>
    Clip,
}

/// <summary>Options of <see cref="LarsAlgorithm"/> (names and defaults as NVIDIA apex's <c>LARC</c>).</summary>
public sealed class LarsOptions : IValidatableOptions
{
    /// <summary>η, the trust coefficient. A finite value &gt; 0; default 0.02 (apex's LARC; the LARS paper used 0.001 with its own optimizer).</summary>
    public double TrustCoefficient { get; set; } = 0.02;

    /// <summary>Scale (LARS) or Clip (LARC). Default <see cref="LarsMode.Clip"/> (apex's).</summary>
    public LarsMode Mode { get; set; } = LarsMode.Clip;

    /// <summary>
    /// Weight decay added to each adapted gradient (inside the trust ratio's denominator too), a finite
    /// value ≥ 0; default 0. Give the optimizer itself no weight decay when you set it (apex's LARC
    /// takes it over from the optimizer's groups).
    /// </summary>
    public double WeightDecay { get; set; }

    /// <summary>Added to the trust ratio's denominator, a finite value ≥ 0; default 1e-8 (apex's).</summary>
    public double Eps { get; set; } = 1e-8;

    /// <summary>Leave 1-D tensors (biases, normalization weights) unadapted and undecayed. Default true.</summary>
    public bool ExcludeOneDimensional { get; set; } = true;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(LarsOptions))
            .Positive(TrustCoefficient, nameof(TrustCoefficient))
            .Require(Enum.IsDefined(Mode), nameof(Mode), Mode, "Scale or Clip")
            .NonNegative(WeightDecay, nameof(WeightDecay))
            .NonNegative(Eps, nameof(Eps))
            .ThrowIfInvalid();
}
