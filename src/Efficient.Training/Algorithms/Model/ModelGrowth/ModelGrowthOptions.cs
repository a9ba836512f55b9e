using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>How <see cref="ModelGrowthAlgorithm"/> grows the model at each scheduled time.</summary>
public enum GrowthOperator
{
    /// <summary>
    /// Net2WiderNet (Chen et al., 2016): multiplies the hidden width of each selected convolution pair
    /// (<c>conv → [BatchNorm] → activation → conv</c>) by <see cref="ModelGrowthOptions.WidthFactor"/>,
    /// replicating randomly chosen channels and dividing the next convolution's incoming weights by
    /// their replication count.
    /// </summary>
    Wider,

    /// <summary>
    /// Net2DeeperNet (Chen et al., 2016): inserts an identity-initialized convolution (with a BatchNorm
    /// set to the identity when the pair has one, and a ReLU when its activation is a ReLU) after the
    /// activation of each selected convolution pair.
    /// </summary>
    Deeper,

    /// <summary>
    /// Progressive stacking (Gong et al., 2019): doubles the depth of each selected
    /// <see cref="ILayerStack"/> (a <see cref="Efficient.Training.Models.BertEncoder"/>) by copying its
    /// L trained layers on top (layer i + L starts as a copy of layer i), optimizer state copied with them.
    /// </summary>
    Stack,
}

/// <summary>Options of <see cref="ModelGrowthAlgorithm"/>.</summary>
public sealed class ModelGrowthOptions : IValidatableOptions
{
    /// <summary>The growth operator. Default <see cref="GrowthOperator.Wider"/>.</summary>
    public GrowthOperator Operator { get; set; } = GrowthOperator.Wider;

    /// <summary>
    /// When to grow: one growth at the end of the first optimizer step at which each time is reached
    /// (ep, ba, sp, tok or dur; positive; strictly increasing when in the same unit). At least one entry.
    /// Default <c>["0.5dur"]</c>.
    /// </summary>
    public IList<Duration> Schedule { get; set; } = new List<Duration> { Duration.Fraction(0.5) };

    /// <summary>
    /// <see cref="GrowthOperator.Wider"/>: each growth multiplies every selected hidden width w by this
    /// factor (the new width is <c>ceil(w · factor)</c>, at least w + 1). Range (1, 8]; default 2 (the paper's
    /// Inception experiments widen by √2 to 2).
    /// </summary>
    public double WidthFactor { get; set; } = 2.0;

    /// <summary>
    /// Which parts grow, by dotted module name ("" names the model itself). <see cref="GrowthOperator.Stack"/>:
    /// each must implement <see cref="ILayerStack"/>; empty (the default): the outermost modules that do.
    /// Wider and Deeper: each must be a <c>Sequential</c> holding the pattern
    /// <c>Conv2d → [BatchNorm2d] → activation → Conv2d</c> (the first occurrence grows), and a name that
    /// does not qualify is an error. Empty (the default): every residual branch of an
    /// <see cref="IResidualBlock"/> that holds the pattern (the basic blocks of
    /// <see cref="Efficient.Training.Models.ResNet"/>); a model without one grows nothing, which the
    /// surgery report says.
    /// </summary>
    public IList<string> Modules { get; set; } = new List<string>();

    /// <summary>
    /// <see cref="GrowthOperator.Deeper"/> inside the Trainer: set the inserted BatchNorm's statistics
    /// from the current batch (the paper's "undo the normalization"), so the new layer is the identity
    /// in training mode on that batch too, not only in evaluation mode. Default true.
    /// </summary>
    public bool CalibrateNewNormalization { get; set; } = true;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(ModelGrowthOptions))
            .Require(Enum.IsDefined(Operator), nameof(Operator), Operator, "Wider, Deeper or Stack")
            .NotNull(Schedule, nameof(Schedule))
            .NotNull(Modules, nameof(Modules))
            .Require(WidthFactor > 1 && WidthFactor <= 8, nameof(WidthFactor), WidthFactor, "a value in (1, 8]");
        if (Schedule is not null)
        {
            if (Schedule.Count == 0) v.Fail(nameof(Schedule), "an empty list is invalid; expected at least one time");
            for (var i = 0; i < Schedule.Count; i++)
            {
                var d = Schedule[i];
                v.Require(d.Value > 0 && (d.Unit != TimeUnit.Duration || d.Value <= 1), $"{nameof(Schedule)}[{i}]", d, "a positive time (ep, ba, sp, tok, or dur in (0, 1])");
                if (i > 0 && Schedule[i - 1] is var before && before.Unit == d.Unit)
                    v.Require(d.Value > before.Value, $"{nameof(Schedule)}[{i}]", d, $"a time after Schedule[{i - 1}] ({before})");
            }
        }
        if (Modules is not null)
            for (var i = 0; i < Modules.Count; i++)
                v.Require(Modules[i] is not null && (Modules[i].Length == 0 || !string.IsNullOrWhiteSpace(Modules[i])), $"{nameof(Modules)}[{i}]", Modules[i] ?? "null", "a dotted module name");
        v.ThrowIfInvalid();
    }

    /// <summary>A copy whose lists are the copy's own.</summary>
    internal ModelGrowthOptions Copy()
    {
        var copy = OptionsSnapshot.Of(this);
        copy.Schedule = Schedule.ToList();
        copy.Modules = Modules.ToList();
        return copy;
    }
}
