using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="LabelSmoothing"/>: in the loss block, replaces the target by
/// smoothed class probabilities (K = the last dimension of the outputs) before the inner loss.
/// The loss function must accept probability targets (the default cross-entropy does).
/// </summary>
public sealed class LabelSmoothingAlgorithm : ILossAlgorithm
{
    private readonly double _smoothing;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public LabelSmoothingAlgorithm(LabelSmoothingOptions? options = null)
    {
        options ??= new LabelSmoothingOptions();
        options.Validate();
        _smoothing = options.Smoothing;
    }

    /// <inheritdoc />
    public string Name => "LabelSmoothing";

    /// <inheritdoc />
    public Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(next);
        return next(outputs, LabelSmoothing.SmoothLabels(target, outputs.shape[^1], _smoothing));
    }
}
