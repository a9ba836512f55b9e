using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="ModelGrowth"/>. At fit start (model block) it finds the growth sites;
/// around the optimizer step (optimization block), after the step of the first batch at whose end a
/// time of <see cref="ModelGrowthOptions.Schedule"/> is reached, it grows every site (Net2WiderNet or
/// Net2DeeperNet, or progressive stacking of an <see cref="ILayerStack"/>), carrying the optimizer's state to the grown parameters, with the new channels
/// drawn from <see cref="TrainingState.Rng"/>. The number of growths done is checkpointed; on resume
/// the surgery reads it from the checkpoint (<see cref="ModelSurgery.ResumeState"/>) and regrows the
/// model the same number of times before the checkpoint's weights and optimizer state load, so the
/// resumed run continues exactly.
/// </summary>
public sealed class ModelGrowthAlgorithm : IModelAlgorithm, IOptimizationAlgorithm, IStatefulAlgorithm
{
    private const string GrowthsKey = "growths";
    private readonly ModelGrowthOptions _options;
    private IReadOnlyList<string> _sites = Array.Empty<string>();
    private nn.Module? _model;
    private int _growths;

    /// <summary>Creates the algorithm; the options are validated here, once, and copied.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public ModelGrowthAlgorithm(ModelGrowthOptions? options = null)
    {
        options ??= new ModelGrowthOptions();
        options.Validate();
        _options = options.Copy();
    }

    /// <inheritdoc />
    public string Name => "ModelGrowth";

    /// <summary>The growth sites found at fit start (dotted names of the Sequentials that grow).</summary>
    public IReadOnlyList<string> Sites => _sites;

    /// <summary>How many growths have been done (including those redone on resume).</summary>
    public int Growths => _growths;

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        _model = model;
        _growths = 0;
        var stacking = _options.Operator == GrowthOperator.Stack;
        _sites = stacking ? ModelGrowth.FindStacks(model, _options.Modules) : ModelGrowth.FindGrowable(model, _options.Modules);
        if (_sites.Count == 0)
        {
            surgery.Note(stacking
                ? "no layer stacks (0 modules implement ILayerStack)"
                : "no growth sites (0 Sequentials with Conv2d -> [BatchNorm2d] -> activation -> Conv2d in a residual branch)");
            return;
        }
        var regrow = 0;
        if (surgery.ResumeState is { } saved && saved.Values.TryGetValue(GrowthsKey, out var done))
        {
            regrow = (int)done;
            if (regrow < 0 || regrow > _options.Schedule.Count)
                throw new InvalidOperationException($"{Name}: the checkpoint records {regrow} growths; expected 0 to {_options.Schedule.Count} (the schedule's length).");
            // The weights and optimizer state come from the checkpoint: the new channels' choice does not matter here.
            using var generator = new Generator(0);
            for (var i = 0; i < regrow; i++) GrowOnce(surgery, optimizer: null, generator, calibration: null);
            _growths = regrow;
        }
        var op = _options.Operator switch
        {
            GrowthOperator.Wider => $"Net2WiderNet x{_options.WidthFactor.ToString(CultureInfo.InvariantCulture)}",
            GrowthOperator.Deeper => "Net2DeeperNet",
            _ => "progressive stacking (depth x2)",
        };
        surgery.Note($"{op} on {SurgeryHelpers.Count(_sites.Count, stacking ? "layer stack" : "growth site")} at [{string.Join(", ", _options.Schedule)}]"
            + (regrow > 0 ? $"; regrew {regrow} time(s) to resume" : ""));
    }

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        next();
        if (_sites.Count == 0 || _growths >= _options.Schedule.Count || _model is null) return;
        var state = context.State;
        var batch = state.Batch;
        var after = state.Timestamp.AfterBatch(batch?.Size ?? 0, batch?.Tokens ?? 0);
        var grew = false;
        while (_growths < _options.Schedule.Count && Reached(after, _options.Schedule[_growths], state))
        {
            GrowOnce(new ModelSurgery(_model), state.Optimizer, state.Rng, _options.CalibrateNewNormalization ? batch?.Input : null);
            _growths++;
            grew = true;
        }
        // The grown convolutions have new channel counts: check them as the Trainer checks at fit start.
        if (grew && _options.Operator != GrowthOperator.Stack) ConvolutionCheck.Run(_model);
    }

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        s.Values[GrowthsKey] = _growths;
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var saved = state.Values.TryGetValue(GrowthsKey, out var g) ? (int)g : 0;
        if (_sites.Count > 0 && saved != _growths)
            throw new InvalidOperationException($"{Name}: the checkpoint records {saved} growths but the model was regrown {_growths} times before loading; expected the surgery to see the checkpoint (resume through the Trainer, which passes it as ModelSurgery.ResumeState).");
        _growths = saved;
    }

    private void GrowOnce(ModelSurgery surgery, optim.Optimizer? optimizer, Generator? generator, Tensor? calibration)
    {
        foreach (var path in _sites)
        {
            if (_options.Operator == GrowthOperator.Wider)
            {
                var width = ModelGrowth.HiddenWidth(surgery.Root, path);
                ModelGrowth.Widen(surgery, path, ModelGrowth.RandomMapping(width, ModelGrowth.WidenedWidth(width, _options.WidthFactor), generator), optimizer);
            }
            else if (_options.Operator == GrowthOperator.Deeper) ModelGrowth.Deepen(surgery, path, optimizer, calibration);
            else ModelGrowth.Stack(surgery.Root, path, optimizer);
        }
    }

    // Epoch times count the epoch in progress fractionally, so "1ep" grows at the end of the epoch's last batch.
    private static bool Reached(Timestamp after, Duration at, TrainingState state)
    {
        if (at.Unit == TimeUnit.Epoch && state.BatchesPerEpoch is > 0 and var perEpoch)
            return after.Epoch + (double)after.BatchInEpoch / perEpoch >= at.Value - 1e-12;
        return after.HasReached(at, state.MaxDuration, state.BatchesPerEpoch);
    }
}
