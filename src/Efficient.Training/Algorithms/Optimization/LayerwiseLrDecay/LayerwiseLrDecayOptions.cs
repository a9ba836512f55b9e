using System;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="LayerwiseLrDecayAlgorithm"/>.</summary>
public sealed class LayerwiseLrDecayOptions : IValidatableOptions
{
    /// <summary>
    /// The decay per layer: depth l trains at <c>lr · Decay^(top − l)</c>. Range (0, 1] (1: no decay);
    /// default 0.8 (ELECTRA-Base; ELECTRA-Large used 0.9, BEiT 0.65–0.75).
    /// </summary>
    public double Decay { get; set; } = 0.8;

    /// <summary>
    /// The depth of a parameter from its name (≥ 0; null: the top, i.e. the head). Default null:
    /// <see cref="LayerwiseLrDecay.DefaultDepth"/> (embeddings 0, <c>layers.N.</c> N + 1, the rest the top).
    /// </summary>
    public Func<string, int?>? DepthOf { get; set; }

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(LayerwiseLrDecayOptions))
            .Require(Decay > 0 && Decay <= 1, nameof(Decay), Decay, "a value in (0, 1]")
            .ThrowIfInvalid();
}
