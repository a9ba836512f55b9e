using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="LayerFreezing"/>: at fit start and before every batch, freezes the layers the
/// schedule calls for at the current progress. The frozen set depends only on the timestamp, so a
/// resumed run freezes the same layers before its first batch. (Composer updates at each epoch end;
/// updating before each batch follows the same schedule at a finer grain and also works for runs
/// measured in batches or samples.)
/// </summary>
public sealed class LayerFreezingAlgorithm : IModelAlgorithm, ITrainingCallback
{
    private readonly LayerFreezingOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public LayerFreezingAlgorithm(LayerFreezingOptions? options = null)
    {
        options ??= new LayerFreezingOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "LayerFreezing";

    /// <summary>The number of layers frozen so far in this run.</summary>
    public int FrozenDepth { get; private set; }

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        var layers = LayerFreezing.Layers(model).Count;
        surgery.Note($"replaced 0 modules; will freeze up to {LayerFreezing.FreezeDepth(layers, 1, _options.FreezeStart, _options.FreezeLevel)} of {layers} layers from progress {_options.FreezeStart:G4}");
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (trainingEvent is not (TrainingEvent.FitStart or TrainingEvent.BatchStart)) return;
        FrozenDepth = LayerFreezing.Freeze(state.Model, Math.Clamp(state.Progress, 0, 1), _options.FreezeStart, _options.FreezeLevel).Depth;
    }
}
