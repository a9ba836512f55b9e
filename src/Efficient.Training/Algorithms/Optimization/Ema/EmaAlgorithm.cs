using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="Ema"/>. Keeps shadow weights (parameters and buffers) and updates
/// them after the optimizer step every <see cref="EmaOptions.UpdateInterval"/> (batch intervals in
/// the optimization hook, epoch intervals at <see cref="TrainingEvent.EpochEnd"/>) once
/// <see cref="EmaOptions.EmaStart"/> is reached.
/// <para>Policy: evaluation uses the shadow weights (swapped in at <see cref="TrainingEvent.EvalStart"/>,
/// out at <see cref="TrainingEvent.EvalEnd"/>); checkpoints hold the trained weights as the model and the
/// shadow weights as this algorithm's state, so a resumed run continues exactly; at
/// <see cref="TrainingEvent.FitEnd"/> the shadow weights are swapped in, so the model the user gets is the
/// averaged one (a further <c>Fit</c> swaps the trained weights back in first).</para>
/// </summary>
public sealed class EmaAlgorithm : IOptimizationAlgorithm, ITrainingCallback, IStatefulAlgorithm, IDisposable
{
    private const string ShadowPrefix = "shadow/";
    private readonly EmaOptions _options;
    private readonly Duration _interval;
    private ShadowWeights? _shadow;
    private bool _swappedForEval;
    private bool _swappedAtFitEnd;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public EmaAlgorithm(EmaOptions? options = null)
    {
        options ??= new EmaOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
        _interval = options.ResolvedInterval;
        Smoothing = options.ResolvedSmoothing;
    }

    /// <inheritdoc />
    public string Name => "Ema";

    /// <summary>The smoothing s applied at each update.</summary>
    public double Smoothing { get; }

    /// <summary>The shadow weights, once averaging has started (owned by the algorithm).</summary>
    public ShadowWeights? Shadow => _shadow;

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        next();
        if (_interval.Unit != TimeUnit.Batch) return;
        var state = context.State;
        var batch = state.Batch;
        var after = batch is null ? state.Timestamp.AfterBatch(0) : state.Timestamp.AfterBatch(batch.Size, batch.Tokens);
        if (after.Batch % _interval.Count == 0) Advance(state, after);
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        switch (trainingEvent)
        {
            case TrainingEvent.FitStart:
                if (_swappedAtFitEnd)
                {
                    _shadow!.SwapOut(state.Model);
                    _swappedAtFitEnd = false;
                }
                if (_shadow is null && state.HasReached(_options.EmaStart))
                    _shadow = ShadowWeights.Of(state.Model);
                break;
            case TrainingEvent.EpochEnd:
                if (_interval.Unit == TimeUnit.Epoch && state.Timestamp.Epoch % _interval.Count == 0) Advance(state, state.Timestamp);
                break;
            case TrainingEvent.EvalStart:
                if (_shadow is not null && !_shadow.IsSwappedIn)
                {
                    _shadow.SwapIn(state.Model);
                    _swappedForEval = true;
                }
                break;
            case TrainingEvent.EvalEnd:
                if (_swappedForEval)
                {
                    _shadow!.SwapOut(state.Model);
                    _swappedForEval = false;
                }
                break;
            case TrainingEvent.FitEnd:
                if (_shadow is not null && !_shadow.IsSwappedIn)
                {
                    _shadow.SwapIn(state.Model);
                    _swappedAtFitEnd = true;
                }
                break;
        }
    }

    private void Advance(TrainingState state, Timestamp now)
    {
        if (_shadow is null)
        {
            // Averaging starts now: the shadow starts as a copy (an update would give the same values).
            if (now.HasReached(_options.EmaStart, state.MaxDuration, state.BatchesPerEpoch)) _shadow = ShadowWeights.Of(state.Model);
            return;
        }
        Ema.Update(_shadow, state.Model, Smoothing);
    }

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        s.Values["started"] = _shadow is null ? 0 : 1;
        if (_shadow is not null)
        {
            if (_shadow.IsSwappedIn) throw new InvalidOperationException("EMA cannot save its state while the shadow weights are swapped into the model.");
            foreach (var name in _shadow.Names) s.Tensors[ShadowPrefix + name] = _shadow[name];
        }
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _shadow?.Dispose();
        _shadow = null;
        _swappedForEval = _swappedAtFitEnd = false;
        if (state.Values.TryGetValue("started", out var started) && started != 0)
            _shadow = ShadowWeights.FromTensors(
                state.Tensors.Where(kv => kv.Key.StartsWith(ShadowPrefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[ShadowPrefix.Length..], kv => kv.Value),
                includesBuffers: true);
    }

    /// <summary>Frees the shadow weights.</summary>
    public void Dispose()
    {
        _shadow?.Dispose();
        _shadow = null;
    }
}
