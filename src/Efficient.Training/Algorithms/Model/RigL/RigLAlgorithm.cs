using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="RigL"/>. At fit start (model block) it selects the sparse weights and
/// their sparsities (<see cref="RigLOptions.Distribution"/>). Before the first forward pass
/// (regularization block) it draws random masks from <see cref="TrainingState.Rng"/> and zeroes the
/// inactive weights. Around every optimizer step (optimization block): at steps t = ΔT, 2ΔT, ... before
/// T_end the step is a mask update (drop the smallest active weights, grow the inactive connections of
/// largest dense gradient, grown weights and their optimizer state set to 0) that replaces the
/// optimizer step, as in the paper's Algorithm 1; at the other steps the gradients are masked, the
/// optimizer steps, and the weights are multiplied by the masks, so inactive weights stay exactly zero.
/// The masks are checkpointed (<see cref="IStatefulAlgorithm"/>), so a resumed run continues identically.
/// At fit end the sparsity reached is stored in <see cref="TrainingState.Items"/> under <c>"RigL.Report"</c>
/// and added to the surgery report.
/// </summary>
public sealed class RigLAlgorithm : IModelAlgorithm, IRegularizationAlgorithm, IOptimizationAlgorithm, IStatefulAlgorithm, ITrainingCallback
{
    /// <summary>The <see cref="TrainingState.Items"/> key of the final <see cref="SparsityReport"/>.</summary>
    public const string ReportKey = "RigL.Report";

    private readonly RigLOptions _options;
    private readonly List<(string name, Parameter weight)> _weights = new();
    private double[] _sparsities = Array.Empty<double>();
    private Tensor[]? _masks;
    private ModelSurgery? _surgery;
    private (long interval, long end)? _schedule;
    private long _updates;
    private long _grown;
    private double _lastDropFraction;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public RigLAlgorithm(RigLOptions? options = null)
    {
        options ??= new RigLOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
        _options.ExcludeNames = _options.ExcludeNames.ToList();   // the list too, not the caller's
    }

    /// <inheritdoc />
    public string Name => "RigL";

    /// <summary>The names of the sparse weights (after fit start), in model order.</summary>
    public IReadOnlyList<string> SparseWeights => _weights.Select(w => w.name).ToList();

    /// <summary>The target sparsity of each sparse weight (after fit start), in the order of <see cref="SparseWeights"/>.</summary>
    public IReadOnlyList<double> LayerSparsities => _sparsities;

    /// <summary>How many mask updates have run.</summary>
    public long Updates => _updates;

    /// <summary>How many connections the mask updates have grown in total (that were inactive before).</summary>
    public long GrownConnections => _grown;

    /// <summary>The drop fraction of the last mask update (0 before the first).</summary>
    public double LastDropFraction => _lastDropFraction;

    /// <summary>The sparsity the sparse weights have now, per layer and in total.</summary>
    public SparsityReport SparsityReport() => MagnitudePruning.Measure(_weights.Select(w => (w.name, (Tensor)w.weight)));

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        _surgery = surgery;
        _weights.Clear();
        DisposeMasks();
        _schedule = null;
        _updates = 0;
        _grown = 0;
        _lastDropFraction = 0;
        var candidates = model.named_modules().Where(m => m.name.Length > 0 && IsSparsifiable(m.module)).ToList();
        for (var i = 0; i < candidates.Count; i++)
        {
            var (name, module) = candidates[i];
            if (_options.KeepFirstLayerDense && i == 0) continue;
            if (_options.ExcludeNames.Any(x => name == x || name.StartsWith(x + ".", StringComparison.Ordinal))) continue;
            var weight = module.named_parameters(recurse: false).FirstOrDefault(p => p.name == "weight").parameter;
            if (weight is not null) _weights.Add((name + ".weight", weight));
        }
        if (_weights.Count == 0)
        {
            _sparsities = Array.Empty<double>();
            surgery.Note("no sparsifiable weights");
            return;
        }
        _sparsities = RigL.LayerSparsities(_weights.Select(w => w.weight.shape).ToList(), _options.Sparsity, _options.Distribution);
        var dense = _sparsities.Count(s => s == 0);
        surgery.Note(string.Create(CultureInfo.InvariantCulture,
            $"sparse training of {_weights.Count} weight tensors ({_weights.Sum(w => w.weight.numel())} elements) at sparsity {_options.Sparsity}, {_options.Distribution}{(dense > 0 ? $" ({dense} made dense)" : "")}"));
    }

    /// <inheritdoc />
    public Tensor Forward(MicrobatchContext context, Func<Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_weights.Count > 0 && _masks is null) InitializeMasks(context.State.Rng);
        return next();
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
        if (_masks is null) InitializeMasks(state.Rng);
        var (interval, end) = _schedule ??= Schedule(state);
        var t = state.Timestamp.Batch + 1;
        if (t % interval == 0 && t < end)
        {
            // A mask update replaces the optimizer step (Algorithm 1 of the paper; the authors' SparseRigLOptimizer).
            _lastDropFraction = RigL.DropFraction(t, _options.DropFraction, end);
            var grown = RigL.Update(_weights.Select(w => w.weight).ToList(), _masks!, _lastDropFraction, state.Optimizer);
            _grown += grown.Sum();
            _updates++;
            return;
        }
        using (no_grad())
            for (var i = 0; i < _weights.Count; i++)
                if (_weights[i].weight.grad is { } g) g.mul_(_masks![i]);
        next();
        ApplyMasks();
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (trainingEvent != TrainingEvent.FitEnd || _weights.Count == 0) return;
        ArgumentNullException.ThrowIfNull(state);
        var report = SparsityReport();
        state.Items[ReportKey] = report;
        _surgery?.Note($"{Name}: {_updates} mask updates, {_grown} connections grown; final {report}");
    }

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        s.Values["updates"] = _updates;
        s.Values["grown"] = _grown;
        s.Values["lastDropFraction"] = _lastDropFraction;
        if (_masks is not null)
            for (var i = 0; i < _weights.Count; i++) s.Tensors["mask/" + _weights[i].name] = _masks[i];
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _updates = state.Values.TryGetValue("updates", out var updates) ? (long)updates : 0;
        _grown = state.Values.TryGetValue("grown", out var grown) ? (long)grown : 0;
        _lastDropFraction = state.Values.TryGetValue("lastDropFraction", out var f) ? f : 0;
        DisposeMasks();
        if (!state.Tensors.Keys.Any(k => k.StartsWith("mask/", StringComparison.Ordinal))) return;
        var masks = new Tensor[_weights.Count];
        for (var i = 0; i < _weights.Count; i++)
        {
            if (!state.Tensors.TryGetValue("mask/" + _weights[i].name, out var m))
                throw new InvalidOperationException($"{Name}: the checkpoint has no mask for '{_weights[i].name}'; it was written for other sparse weights ({string.Join(", ", state.Tensors.Keys)}).");
            if (!m.shape.SequenceEqual(_weights[i].weight.shape))
                throw new InvalidOperationException($"{Name}: the checkpointed mask of '{_weights[i].name}' has shape [{string.Join(", ", m.shape)}]; expected [{string.Join(", ", _weights[i].weight.shape)}].");
            masks[i] = m.to(_weights[i].weight.device).to_type(_weights[i].weight.dtype).DetachFromDisposeScope();
        }
        _masks = masks;
    }

    private void InitializeMasks(Generator rng)
    {
        var masks = new Tensor[_weights.Count];
        for (var i = 0; i < _weights.Count; i++)
        {
            var w = _weights[i].weight;
            masks[i] = RigL.RandomMask(w.shape, _sparsities[i], rng, w.dtype, w.device).DetachFromDisposeScope();
        }
        _masks = masks;
        ApplyMasks();
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

    private bool IsSparsifiable(nn.Module module) =>
        (module is Linear && _options.Layers.HasFlag(PrunableLayers.Linear))
        || (module is Convolution && _options.Layers.HasFlag(PrunableLayers.Convolution));

    /// <summary>ΔT (rounded, at least 1) and T_end (rounded up) in batches.</summary>
    private (long interval, long end) Schedule(TrainingState state)
    {
        var interval = Math.Max(1, (long)Math.Round(state.ToBatches(_options.UpdateInterval, $"{Name}: {nameof(RigLOptions.UpdateInterval)}")));
        var end = Math.Max(1, (long)Math.Ceiling(state.ToBatches(_options.End, $"{Name}: {nameof(RigLOptions.End)}") - 1e-9));
        return (interval, end);
    }
}
