using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="MagnitudePruning"/>. At fit start it selects the prunable weights
/// (model block). Around every optimizer step (optimization block) it masks the gradients, lets the
/// step run, recomputes the masks from the weights' magnitudes at each pruning step of the cubic
/// schedule, and multiplies the weights by their masks, so pruned weights stay exactly zero whatever
/// the optimizer (momentum, weight decay) does. The masks are checkpointed, so a resumed run
/// continues identically. At fit end the sparsity reached is written to
/// <see cref="TrainingState.Items"/> under <c>"MagnitudePruning.Report"</c> (a <see cref="SparsityReport"/>)
/// and as a line of the trainer's surgery report; <see cref="SparsityReport"/> reads it at any time.
/// </summary>
public sealed class MagnitudePruningAlgorithm : IModelAlgorithm, IOptimizationAlgorithm, IStatefulAlgorithm, ITrainingCallback
{
    /// <summary>The <see cref="TrainingState.Items"/> key of the final <see cref="SparsityReport"/>.</summary>
    public const string ReportKey = "MagnitudePruning.Report";

    private readonly MagnitudePruningOptions _options;
    private readonly List<(string name, Parameter weight)> _weights = new();
    private Tensor[]? _masks;
    private ModelSurgery? _surgery;
    private long _lastPruneBatch = -1;
    private double _sparsity;
    private (long start, long end, long interval)? _schedule;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public MagnitudePruningAlgorithm(MagnitudePruningOptions? options = null)
    {
        options ??= new MagnitudePruningOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
        _options.ExcludeNames = _options.ExcludeNames.ToList();   // the list too, not the caller's
    }

    /// <inheritdoc />
    public string Name => "MagnitudePruning";

    /// <summary>The names of the pruned weights (after fit start), in model order.</summary>
    public IReadOnlyList<string> PrunedWeights => _weights.Select(w => w.name).ToList();

    /// <summary>The target sparsity of the last pruning step (0 before the first).</summary>
    public double TargetSparsity => _sparsity;

    /// <summary>The sparsity the prunable weights have now, per layer and in total.</summary>
    public SparsityReport SparsityReport() => MagnitudePruning.Measure(_weights.Select(w => (w.name, (Tensor)w.weight)));

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        _surgery = surgery;
        _weights.Clear();
        DisposeMasks();
        _lastPruneBatch = -1;
        _sparsity = 0;
        _schedule = null;
        var candidates = model.named_modules()
            .Where(m => m.name.Length > 0 && IsPrunableType(m.module))
            .ToList();
        for (var i = 0; i < candidates.Count; i++)
        {
            var (name, module) = candidates[i];
            if (!_options.IncludeFirstAndLastLayers && (i == 0 || i == candidates.Count - 1)) continue;
            if (_options.ExcludeNames.Any(x => name == x || name.StartsWith(x + ".", StringComparison.Ordinal))) continue;
            var weight = module.named_parameters(recurse: false).FirstOrDefault(p => p.name == "weight").parameter;
            if (weight is not null) _weights.Add((name + ".weight", weight));
        }
        surgery.Note(_weights.Count == 0
            ? "no prunable weights"
            : $"pruning {_weights.Count} weight tensors ({_weights.Sum(w => w.weight.numel())} elements) to sparsity {_options.FinalSparsity.ToString(CultureInfo.InvariantCulture)}, {(_options.Global ? "global" : "per layer")}");
    }

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_weights.Count == 0)
        {
            next();
            return;
        }
        var state = context.State;
        var (start, end, interval) = _schedule ??= Schedule(state);
        if (_masks is not null)
        {
            using var _ = no_grad();
            for (var i = 0; i < _weights.Count; i++)
                if (_weights[i].weight.grad is { } g) g.mul_(_masks[i]);
        }
        next();
        var batch = state.Timestamp.Batch + 1;
        var due = batch >= start && batch != _lastPruneBatch
            && (batch >= end ? _lastPruneBatch < end : (batch - start) % interval == 0);
        if (due)
        {
            _sparsity = MagnitudePruning.Sparsity(batch, start, end, _options.InitialSparsity, _options.FinalSparsity);
            ApplyMasks();
            var masks = MagnitudePruning.Masks(_weights.Select(w => (Tensor)w.weight).ToList(), _sparsity, _options.Global);
            foreach (var m in masks) m.DetachFromDisposeScope();
            DisposeMasks();
            _masks = masks;
            _lastPruneBatch = batch;
        }
        ApplyMasks();
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (trainingEvent != TrainingEvent.FitEnd || _weights.Count == 0) return;
        ArgumentNullException.ThrowIfNull(state);
        var report = SparsityReport();
        state.Items[ReportKey] = report;
        _surgery?.Note($"{Name}: final {report}");
    }

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        s.Values["lastPruneBatch"] = _lastPruneBatch;
        s.Values["sparsity"] = _sparsity;
        if (_masks is not null)
            for (var i = 0; i < _weights.Count; i++) s.Tensors["mask/" + _weights[i].name] = _masks[i];
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _lastPruneBatch = state.Values.TryGetValue("lastPruneBatch", out var last) ? (long)last : -1;
        _sparsity = state.Values.TryGetValue("sparsity", out var sparsity) ? sparsity : 0;
        DisposeMasks();
        if (!state.Tensors.Keys.Any(k => k.StartsWith("mask/", StringComparison.Ordinal))) return;
        var masks = new Tensor[_weights.Count];
        for (var i = 0; i < _weights.Count; i++)
        {
            if (!state.Tensors.TryGetValue("mask/" + _weights[i].name, out var m))
                throw new InvalidOperationException($"{Name}: the checkpoint has no mask for '{_weights[i].name}'; it was written for other prunable weights ({string.Join(", ", state.Tensors.Keys)}).");
            if (!m.shape.SequenceEqual(_weights[i].weight.shape))
                throw new InvalidOperationException($"{Name}: the checkpointed mask of '{_weights[i].name}' has shape [{string.Join(", ", m.shape)}]; expected [{string.Join(", ", _weights[i].weight.shape)}].");
            masks[i] = m.to(_weights[i].weight.device).DetachFromDisposeScope();
        }
        _masks = masks;
    }

    private void ApplyMasks()
    {
        if (_masks is null) return;
        using var _ = no_grad();
        for (var i = 0; i < _weights.Count; i++) _weights[i].weight.mul_(_masks[i]);
    }

    private void DisposeMasks()
    {
        if (_masks is null) return;
        foreach (var m in _masks) m.Dispose();
        _masks = null;
    }

    private bool IsPrunableType(nn.Module module) =>
        (module is Linear && _options.Layers.HasFlag(PrunableLayers.Linear))
        || (module is Convolution && _options.Layers.HasFlag(PrunableLayers.Convolution));

    /// <summary>Start, end and interval of the schedule in batches (start and end rounded up, interval at least 1).</summary>
    private (long start, long end, long interval) Schedule(TrainingState state)
    {
        var start = (long)Math.Ceiling(Batches(_options.Start, state, nameof(MagnitudePruningOptions.Start)) - 1e-9);
        var end = Math.Max(start, (long)Math.Ceiling(Batches(_options.End, state, nameof(MagnitudePruningOptions.End)) - 1e-9));
        var interval = Math.Max(1, (long)Math.Round(Batches(_options.Interval, state, nameof(MagnitudePruningOptions.Interval))));
        return (start, end, interval);
    }

    private double Batches(Duration d, TrainingState state, string property) => state.ToBatches(d, $"{Name}: {property}");
}
