using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Applies <see cref="ProgressiveResizing"/> to every training batch at the scale given by the
/// run's progress (<see cref="TrainingState.Progress"/>); crop offsets come from <see cref="TrainingState.Rng"/>.
/// </summary>
public sealed class ProgressiveResizingAlgorithm : IDataAlgorithm
{
    private readonly ProgressiveResizingOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public ProgressiveResizingAlgorithm(ProgressiveResizingOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new ProgressiveResizingOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "ProgressiveResizing";

    /// <inheritdoc />
    public Batch Transform(Batch batch, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(state);
        if (batch.Input.dim() != 4) throw new ArgumentException($"ProgressiveResizing expects images [B, C, H, W] (got [{string.Join(", ", batch.Input.shape)}]).", nameof(batch));
        var scale = ProgressiveResizing.ScaleFactor(state.Progress, _options.InitialScale, _options.DelayFraction, _options.FinetuneFraction);
        var (h, w) = ProgressiveResizing.TargetSize(batch.Input.shape[2], batch.Input.shape[3], scale, _options.SizeIncrement);
        return ProgressiveResizing.Apply(batch, h, w, _options.Mode, state.Rng, _options.Interpolation, _options.ResizeTargets);
    }
}
