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
    private readonly WeightMasks _masks = new();
    private double[] _sparsities = Array.Empty<double>();
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
    public IReadOnlyList<string> SparseWeights => _masks.Names.ToList();

    /// <summary>The target sparsity of each sparse weight (after fit start), in the order of <see cref="SparseWeights"/>.</summary>
    public IReadOnlyList<double> LayerSparsities => _sparsities;

    /// <summary>How many mask updates have run.</summary>
    public long Updates => _updates;

    /// <summary>How many connections the mask updates have grown in total (that were inactive before).</summary>
    public long GrownConnections => _grown;

    /// <summary>The drop fraction of the last mask update (0 before the first).</summary>
    public double LastDropFraction => _lastDropFraction;

    /// <summary>The sparsity the sparse weights have now, per layer and in total.</summary>
    public SparsityReport SparsityReport() => _masks.Report();

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        _surgery = surgery;
        _schedule = null;
        _updates = 0;
        _grown = 0;
        _lastDropFraction = 0;
        _masks.Select(model, _options.Layers, _options.ExcludeNames, (i, _) => _options.KeepFirstLayerDense && i == 0);
        if (_masks.Count == 0)
        {
            _sparsities = Array.Empty<double>();
            surgery.Note("no sparsifiable weights");
            return;
        }
        _sparsities = RigL.LayerSparsities(_masks.Weights.Select(w => w.shape).ToList(), _options.Sparsity, _options.Distribution);
        var dense = _sparsities.Count(s => s == 0);
        surgery.Note(string.Create(CultureInfo.InvariantCulture,
            $"sparse training of {_masks.Count} weight tensors ({_masks.Elements} elements) at sparsity {_options.Sparsity}, {_options.Distribution}{(dense > 0 ? $" ({dense} made dense)" : "")}"));
    }

    /// <inheritdoc />
    public Tensor Forward(MicrobatchContext context, Func<Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_masks.Count > 0 && _masks.Masks is null) InitializeMasks(context.State.Rng);
        return next();
    }

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_masks.Count == 0)
        {
            next();
            return;
        }
        var state = context.State;
        if (_masks.Masks is null) InitializeMasks(state.Rng);
        var (interval, end) = _schedule ??= Schedule(state);
        var t = state.Timestamp.Batch + 1;
        if (t % interval == 0 && t < end)
        {
            // A mask update replaces the optimizer step (Algorithm 1 of the paper; the authors' SparseRigLOptimizer).
            _lastDropFraction = RigL.DropFraction(t, _options.DropFraction, end);
            var grown = RigL.Update(_masks.Weights, _masks.Masks!, _lastDropFraction, state.Optimizer);
            _grown += grown.Sum();
            _updates++;
            return;
        }
        _masks.MaskGradients();
        next();
        _masks.ApplyToWeights();
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state) =>
        _masks.OnFitEnd(trainingEvent, state, ReportKey, _surgery, report => $"{Name}: {_updates} mask updates, {_grown} connections grown; final {report}");

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        s.Values["updates"] = _updates;
        s.Values["grown"] = _grown;
        s.Values["lastDropFraction"] = _lastDropFraction;
        _masks.Save(s);
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _updates = state.Values.TryGetValue("updates", out var updates) ? (long)updates : 0;
        _grown = state.Values.TryGetValue("grown", out var grown) ? (long)grown : 0;
        _lastDropFraction = state.Values.TryGetValue("lastDropFraction", out var f) ? f : 0;
        _masks.Load(state, Name, "sparse", matchDtype: true);
    }

    private void InitializeMasks(Generator rng)
    {
        var masks = new Tensor[_masks.Count];
        for (var i = 0; i < _masks.Count; i++)
        {
            var w = _masks.Weights[i];
            masks[i] = RigL.RandomMask(w.shape, _sparsities[i], rng, w.dtype, w.device).DetachFromDisposeScope();
        }
        _masks.Replace(masks);
        _masks.ApplyToWeights();
    }

    /// <summary>ΔT (rounded, at least 1) and T_end (rounded up) in batches.</summary>
    private (long interval, long end) Schedule(TrainingState state)
    {
        var interval = Math.Max(1, (long)Math.Round(state.ToBatches(_options.UpdateInterval, $"{Name}: {nameof(RigLOptions.UpdateInterval)}")));
        var end = Math.Max(1, (long)Math.Ceiling(state.ToBatches(_options.End, $"{Name}: {nameof(RigLOptions.End)}") - 1e-9));
        return (interval, end);
    }
}
