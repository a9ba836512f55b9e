using System;
using System.Collections.Generic;

namespace Efficient.Training.Algorithms;

/// <summary>Which layer types hold prunable weights.</summary>
[Flags]
public enum PrunableLayers
{
    /// <summary>None (nothing is pruned).</summary>
    None = 0,
    /// <summary><c>Linear</c> layers.</summary>
    Linear = 1,
    /// <summary>Convolutions (<c>Conv1d</c>, <c>Conv2d</c>, ...).</summary>
    Convolution = 2,
    /// <summary>Linear layers and convolutions.</summary>
    LinearAndConvolution = Linear | Convolution,
}

/// <summary>Options of <see cref="MagnitudePruningAlgorithm"/>.</summary>
public sealed class MagnitudePruningOptions : IValidatableOptions
{
    /// <summary>s_i, the sparsity set at the first pruning step. Range [0, <see cref="FinalSparsity"/>]; default 0 (Zhu &amp; Gupta).</summary>
    public double InitialSparsity { get; set; }

    /// <summary>s_f, the sparsity reached at <see cref="End"/> and kept afterwards. Range [<see cref="InitialSparsity"/>, 1); default 0.5.</summary>
    public double FinalSparsity { get; set; } = 0.5;

    /// <summary>t0, when pruning starts (ep, ba, sp or dur). Default <c>0.1dur</c>.</summary>
    public Duration Start { get; set; } = Duration.Fraction(0.1);

    /// <summary>t0 + nΔt, when the final sparsity is reached (ep, ba, sp or dur; not before <see cref="Start"/>). Default <c>0.8dur</c>.</summary>
    public Duration End { get; set; } = Duration.Fraction(0.8);

    /// <summary>Δt, how often the masks are recomputed (ep, ba, sp or dur; at least one batch). Default <c>10ba</c>.</summary>
    public Duration Interval { get; set; } = Duration.Batches(10);

    /// <summary>One magnitude threshold across all prunable weights (true) or the same sparsity in each layer (false, default).</summary>
    public bool Global { get; set; }

    /// <summary>The layer types whose <c>weight</c> is pruned (biases never are). Default Linear and convolutions.</summary>
    public PrunableLayers Layers { get; set; } = PrunableLayers.LinearAndConvolution;

    /// <summary>Modules not to prune, by dotted name (a name also excludes the modules inside it). Default none.</summary>
    public IList<string> ExcludeNames { get; set; } = new List<string>();

    /// <summary>
    /// Also prune the first and the last prunable layer (in <c>named_modules()</c> order). Default false:
    /// the input layer has few weights and the classifier is sensitive, so both are usually kept dense.
    /// </summary>
    public bool IncludeFirstAndLastLayers { get; set; }

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(MagnitudePruningOptions))
            .InRange(InitialSparsity, 0, 1, nameof(InitialSparsity))
            .Require(FinalSparsity >= 0 && FinalSparsity < 1, nameof(FinalSparsity), FinalSparsity, "a value in [0, 1)")
            .Require(!(FinalSparsity < InitialSparsity), nameof(FinalSparsity), FinalSparsity, $"a value >= InitialSparsity ({InitialSparsity.ToString(System.Globalization.CultureInfo.InvariantCulture)})")
            .Require(Start.Unit != TimeUnit.Token, nameof(Start), Start, "a duration in ep, ba, sp or dur")
            .Require(End.Unit != TimeUnit.Token, nameof(End), End, "a duration in ep, ba, sp or dur")
            .Require(Interval.Unit != TimeUnit.Token && Interval.Value > 0, nameof(Interval), Interval, "a positive duration in ep, ba, sp or dur")
            .Require(Start.Unit != End.Unit || End.Value >= Start.Value, nameof(End), End, $"a time not before Start ({Start})")
            .Require((Layers & ~PrunableLayers.LinearAndConvolution) == 0, nameof(Layers), Layers, "a combination of Linear and Convolution")
            .NotNull(ExcludeNames, nameof(ExcludeNames));
        v.ThrowIfInvalid();
    }
}
