using System;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="SelectiveBackpropAlgorithm"/> (Composer's <c>SelectiveBackprop</c>).</summary>
public sealed class SelectiveBackpropOptions : IValidatableOptions
{
    /// <summary>Progress at which selection starts (Composer <c>start</c>). Default 0.5; range [0, 1], ≤ <see cref="End"/>.</summary>
    public double Start { get; set; } = 0.5;

    /// <summary>Progress at which selection stops (Composer <c>end</c>). Default 0.9; range [0, 1].</summary>
    public double End { get; set; } = 0.9;

    /// <summary>Fraction of each selected batch that is kept (Composer <c>keep</c>). Default 0.5; range (0, 1].</summary>
    public double Keep { get; set; } = 0.5;

    /// <summary>Every <c>interrupt</c>-th batch is trained in full; 0 selects in every batch (Composer <c>interrupt</c>). Default 2; range ≥ 0.</summary>
    public int Interrupt { get; set; } = 2;

    /// <summary>Down-scaling of image inputs for the selection forward pass (Composer <c>scale_factor</c>). Default 1 (none); range (0, 1].</summary>
    public double ScaleFactor { get; set; } = 1;

    /// <summary>
    /// Per-sample loss (Composer <c>loss_fun</c> with <c>reduction='none'</c>): (outputs, target) to a
    /// loss per sample, or per element averaged per sample. Default <see cref="SelectiveBackprop.CrossEntropyPerSample"/>.
    /// </summary>
    public Func<Tensor, Tensor, Tensor> PerSampleLoss { get; set; } = SelectiveBackprop.CrossEntropyPerSample;

    /// <summary>
    /// True (default): Composer's loss-ranked random sampling from the run's generator; false: keep
    /// exactly the highest-loss samples.
    /// </summary>
    public bool Sample { get; set; } = true;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(SelectiveBackpropOptions));
        v.InRange(Start, 0, 1, nameof(Start));
        v.InRange(End, 0, 1, nameof(End));
        v.Require(!(Start > End), nameof(End), End, $"a value >= Start ({Start.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        v.Require(Keep > 0 && Keep <= 1, nameof(Keep), Keep, "a value in (0, 1]");
        v.Require(Interrupt >= 0, nameof(Interrupt), Interrupt, "an integer >= 0");
        v.Require(ScaleFactor > 0 && ScaleFactor <= 1, nameof(ScaleFactor), ScaleFactor, "a value in (0, 1]");
        v.NotNull(PerSampleLoss, nameof(PerSampleLoss));
        v.ThrowIfInvalid();
    }
}
