using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Efficient.Training.Optimizers;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of Lookahead (Zhang et al., 2019) in the optimization block: wraps the run's
/// optimizer step, whatever the optimizer. The slow weights start as a copy of the parameters at
/// the first step; after every k-th step they move α of the way to the fast weights, which restart
/// from them (<see cref="Lookahead.Interpolate"/>). The slow weights and the step count are
/// checkpointed. (To wrap an optimizer outside the Trainer, use <see cref="Lookahead"/>.)
/// </summary>
public sealed class LookaheadAlgorithm : IOptimizationAlgorithm, IStatefulAlgorithm
{
    private readonly int _k;
    private readonly double _alpha;
    private List<Tensor>? _slow;
    private long _steps;
    private bool _loaded;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public LookaheadAlgorithm(LookaheadOptions? options = null)
    {
        options ??= new LookaheadOptions();
        options.Validate();
        _k = options.K;
        _alpha = options.Alpha;
    }

    /// <inheritdoc />
    public string Name => "Lookahead";

    /// <summary>Optimizer steps taken so far.</summary>
    public long Steps => _steps;

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var fast = context.State.Optimizer.parameters().Cast<Tensor>().ToList();
        if (_slow is null)
        {
            using (NewDisposeScope())
            using (no_grad())
                _slow = fast.Select(p => p.detach().clone().DetachFromDisposeScope()).ToList();
        }
        else if (_slow.Count != fast.Count)
        {
            throw new InvalidOperationException($"Lookahead holds slow weights for {_slow.Count} parameters but the optimizer now has {fast.Count}; expected the same parameters throughout the run.");
        }
        else if (_loaded)
        {
            // Loaded from a checkpoint (on the CPU): put each slow tensor where its parameter lives.
            for (var i = 0; i < _slow.Count; i++)
            {
                if (_slow[i].device_type == fast[i].device_type && _slow[i].device_index == fast[i].device_index) continue;
                var moved = _slow[i].to(fast[i].device).DetachFromDisposeScope();
                _slow[i].Dispose();
                _slow[i] = moved;
            }
        }
        _loaded = false;
        next();
        _steps++;
        if (_steps % _k == 0) Lookahead.Interpolate(fast, _slow, _alpha);
    }

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var state = new AlgorithmState();
        state.Values["steps"] = _steps;
        if (_slow is not null)
            for (var i = 0; i < _slow.Count; i++) state.Tensors[i.ToString(CultureInfo.InvariantCulture)] = _slow[i];
        return state;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _steps = state.Values.TryGetValue("steps", out var steps) ? (long)steps : 0;
        if (_slow is not null) foreach (var t in _slow) t.Dispose();
        _slow = state.Tensors.Count == 0 ? null : Enumerable.Range(0, state.Tensors.Count)
            .Select(i => state.Tensors.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out var t)
                ? t : throw new ArgumentException($"The Lookahead state lacks slow weights {i}; expected tensors named 0..{state.Tensors.Count - 1}.", nameof(state)))
            .ToList();
        _loaded = true;
    }
}
