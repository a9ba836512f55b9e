using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="GyroDropout"/>. At fit start (model block) it replaces every
/// <c>Dropout</c> module by a <see cref="GyroDropoutLayer"/>. Around the first forward pass
/// (regularization block) it points the layers at <see cref="TrainingState.Rng"/> and sets their
/// re-selection period from the run's length (Composer's <c>iters_per_epoch · max_epoch</c> = the run's
/// batches). The layers' pre-selected masks, selected indices and step counters are checkpointed
/// (<see cref="IStatefulAlgorithm"/>), so a resumed run continues identically.
/// </summary>
public sealed class GyroDropoutAlgorithm : IModelAlgorithm, IRegularizationAlgorithm, IStatefulAlgorithm
{
    private readonly GyroDropoutOptions _options;
    private readonly List<(string path, GyroDropoutLayer layer)> _layers = new();
    private bool _configured;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public GyroDropoutAlgorithm(GyroDropoutOptions? options = null)
    {
        options ??= new GyroDropoutOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "GyroDropout";

    /// <summary>The gyro dropout layers put into the model (after fit start), with their dotted paths.</summary>
    public IReadOnlyList<(string Path, GyroDropoutLayer Layer)> Layers => _layers;

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        _layers.Clear();
        _configured = false;
        surgery.ReplaceAll((path, module) =>
        {
            if (module is not Dropout) return null;
            var layer = new GyroDropoutLayer(_options.P, _options.Sigma, _options.Tau);
            _layers.Add((path, layer));
            return layer;
        });
        surgery.Note(string.Create(CultureInfo.InvariantCulture,
            $"replaced {_layers.Count} dropout layers (p {_options.P}, sigma {_options.Sigma}, tau {_options.Tau})"));
    }

    /// <inheritdoc />
    public Tensor Forward(MicrobatchContext context, Func<Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!_configured && _layers.Count > 0)
        {
            var state = context.State;
            var total = (long)Math.Ceiling(state.ToBatches(state.MaxDuration, $"{Name}: the run's length") - 1e-9);
            var iterations = GyroDropout.IterationsPerSelection(total, _options.Sigma, _options.Tau);
            foreach (var (_, layer) in _layers)
            {
                layer.Generator = state.Rng;
                layer.IterationsPerSelection = iterations;
            }
            _configured = true;
        }
        return next();
    }

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        foreach (var (path, layer) in _layers)
        {
            s.Values["step/" + path] = layer.TrainingStep;
            if (layer.PreselectedMasks is { } masks && layer.SelectedIndices is { } indices)
            {
                s.Tensors["masks/" + path] = masks;
                s.Tensors["indices/" + path] = indices;
            }
        }
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var (path, layer) in _layers)
        {
            if (!state.Values.TryGetValue("step/" + path, out var step))
                throw new InvalidOperationException($"{Name}: the checkpoint has no state for the gyro dropout layer '{path}'; it was written for other layers ({string.Join(", ", state.Values.Keys)}).");
            state.Tensors.TryGetValue("masks/" + path, out var masks);
            state.Tensors.TryGetValue("indices/" + path, out var indices);
            layer.SetState(masks, indices, (long)step);
        }
    }
}
