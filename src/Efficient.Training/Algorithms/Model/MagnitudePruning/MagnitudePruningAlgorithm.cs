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
    private readonly WeightMasks _masks = new();
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
    public IReadOnlyList<string> PrunedWeights => _masks.Names.ToList();

    /// <summary>The target sparsity of the last pruning step (0 before the first).</summary>
    public double TargetSparsity => _sparsity;

    /// <summary>The sparsity the prunable weights have now, per layer and in total.</summary>
    public SparsityReport SparsityReport() => _masks.Report();

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        _surgery = surgery;
        _lastPruneBatch = -1;
        _sparsity = 0;
        _schedule = null;
        _masks.Select(model, _options.Layers, _options.ExcludeNames,
            (i, count) => !_options.IncludeFirstAndLastLayers && (i == 0 || i == count - 1));
        surgery.Note(_masks.Count == 0
            ? "no prunable weights"
            : $"pruning {_masks.Count} weight tensors ({_masks.Elements} elements) to sparsity {_options.FinalSparsity.ToString(CultureInfo.InvariantCulture)}, {(_options.Global ? "global" : "per layer")}");
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
        var (start, end, interval) = _schedule ??= Schedule(state);
        _masks.MaskGradients();
        next();
        var batch = state.Timestamp.Batch + 1;
        var due = batch >= start && batch != _lastPruneBatch
            && (batch >= end ? _lastPruneBatch < end : (batch - start) % interval == 0);
        if (due)
        {
            _sparsity = MagnitudePruning.Sparsity(batch, start, end, _options.InitialSparsity, _options.FinalSparsity);
            _masks.ApplyToWeights();
            _masks.Replace(MagnitudePruning.Masks(_masks.Weights, _sparsity, _options.Global));
            _lastPruneBatch = batch;
        }
        _masks.ApplyToWeights();
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state) =>
        _masks.OnFitEnd(trainingEvent, state, ReportKey, _surgery, report => $"{Name}: final {report}");

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        s.Values["lastPruneBatch"] = _lastPruneBatch;
        s.Values["sparsity"] = _sparsity;
        _masks.Save(s);
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _lastPruneBatch = state.Values.TryGetValue("lastPruneBatch", out var last) ? (long)last : -1;
        _sparsity = state.Values.TryGetValue("sparsity", out var sparsity) ? sparsity : 0;
        _masks.Load(state, Name, "prunable", matchDtype: false);
    }

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
