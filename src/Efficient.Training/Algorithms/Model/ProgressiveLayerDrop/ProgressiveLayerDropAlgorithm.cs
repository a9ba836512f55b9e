using System;
using System.Collections.Generic;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="ProgressiveLayerDrop"/>. Model block: at fit start wraps every
/// layer with a policy in <see cref="ProgressiveLayerDrop.Policies"/> (any <see cref="IResidualScale"/>
/// layer, such as <see cref="Models.BertLayer"/>) so it can be skipped. Regularization block: before each training
/// microbatch's forward pass, draws which layers run from the run's generator
/// (<see cref="TrainingState.Rng"/>, checkpointed) with θ(t) at t = completed optimizer steps; kept
/// layers scale their residual branches by 1/p_l (DeepSpeed). Evaluation runs every layer unscaled.
/// </summary>
public sealed class ProgressiveLayerDropAlgorithm : IModelAlgorithm, IRegularizationAlgorithm
{
    private readonly ProgressiveLayerDropOptions _options;
    private LayerDropSwitch? _switch;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public ProgressiveLayerDropAlgorithm(ProgressiveLayerDropOptions? options = null)
    {
        _options = OptionsSnapshot.Of(options ?? new ProgressiveLayerDropOptions());
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => "ProgressiveLayerDrop";

    /// <summary>Which layers ran in the last training forward pass (null before the first).</summary>
    public IReadOnlyList<bool>? LastKeep { get; private set; }

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        _switch = ProgressiveLayerDrop.Wrap(surgery);
        surgery.Note($"replaced {_switch.LayerCount} encoder layers with droppable layers (theta {_options.Theta}, gamma {_options.Gamma})");
    }

    /// <inheritdoc />
    public Tensor Forward(MicrobatchContext context, Func<Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_switch is null || _switch.LayerCount == 0 || !context.State.IsTraining) return next();
        var theta = ProgressiveLayerDrop.Theta(context.State.Timestamp.Batch, _options.Theta, _options.Gamma);
        var probabilities = ProgressiveLayerDrop.KeepProbabilities(_switch.LayerCount, theta);
        var keep = ProgressiveLayerDrop.SampleKeep(probabilities, context.State.Rng);
        _switch.Keep = keep;
        _switch.KeepProbabilities = probabilities;
        LastKeep = keep;
        try
        {
            return next();
        }
        finally
        {
            _switch.Keep = null;
            _switch.KeepProbabilities = null;
        }
    }
}
