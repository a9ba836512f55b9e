using System;
using System.Collections.Generic;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="StochasticDepth"/>: in the model block, wraps the residual branches
/// of the target blocks at fit start (and again on resume, before the weights are loaded); at fit start
/// and before every batch it sets the drop rates from the training progress (warm-up) and points the branches
/// at the run's checkpointed generator, so a resumed run drops exactly the same branches.
/// </summary>
public sealed class StochasticDepthAlgorithm : IModelAlgorithm, ITrainingCallback
{
    private readonly StochasticDepthOptions _options;
    private IReadOnlyList<StochasticBranch> _branches = Array.Empty<StochasticBranch>();

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public StochasticDepthAlgorithm(StochasticDepthOptions? options = null)
    {
        options ??= new StochasticDepthOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "StochasticDepth";

    /// <summary>The branches installed by the latest <see cref="Apply"/>, in model order.</summary>
    public IReadOnlyList<StochasticBranch> Branches => _branches;

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(surgery);
        _branches = StochasticDepth.Apply(surgery, _options);
        var method = _options.StochasticMethod == StochasticDepthMethod.Block ? "block-wise" : "sample-wise";
        surgery.Note($"replaced {_branches.Count} residual branch{(_branches.Count == 1 ? "" : "es")} of {_options.TargetLayerName} ({method}, drop rate {_options.DropRate:G4}, {_options.DropDistribution.ToString().ToLowerInvariant()})");
        if (_options.DropWarmup > 0) StochasticDepth.SetDropRates(_branches, 0, _options.DropDistribution);
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (trainingEvent is not (TrainingEvent.FitStart or TrainingEvent.BatchStart)) return;
        var rate = StochasticDepth.WarmupDropRate(_options.DropRate, Math.Clamp(state.Progress, 0, 1), _options.DropWarmup);
        StochasticDepth.SetDropRates(_branches, rate, _options.DropDistribution);
        foreach (var b in _branches) b.Generator = state.Rng;
    }
}
