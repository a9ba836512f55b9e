using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="Swa"/>. From <see cref="SwaOptions.SwaStart"/> on, adds the model to a
/// running average every <see cref="SwaOptions.UpdateInterval"/> (batch intervals after the optimizer
/// step in the optimization hook, epoch intervals at <see cref="TrainingEvent.EpochEnd"/>), optionally
/// annealing the learning rate to <see cref="SwaOptions.SwaLr"/> (one SWA scheduler step per update,
/// replacing the trainer's schedulers). At <see cref="SwaOptions.SwaEnd"/> — or at the end of a run that
/// reached its maximum duration before it — the model's parameters are replaced by the average and
/// the BatchNorm statistics recomputed with one pass over the training data. The average and the
/// schedule are checkpointed (<see cref="IStatefulAlgorithm"/>), so a resumed run continues exactly.
/// </summary>
public sealed class SwaAlgorithm : IOptimizationAlgorithm, ITrainingCallback, IStatefulAlgorithm, IDisposable
{
    private const string AveragePrefix = "average/";
    private readonly SwaOptions _options;
    private ShadowWeights? _average;
    private long _count;
    private long _lrStep;
    private bool _started;
    private List<double> _initialLrs = new();

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public SwaAlgorithm(SwaOptions? options = null)
    {
        options ??= new SwaOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "Swa";

    /// <summary>How many models the average holds.</summary>
    public long AveragedCount => _count;

    /// <summary>Whether the model has been replaced by the average.</summary>
    public bool Completed { get; private set; }

    /// <summary>The running average of the parameters, once averaging has started (owned by the algorithm).</summary>
    public ShadowWeights? Average => _average;

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        next();
        if (_options.UpdateInterval.Unit != TimeUnit.Batch) return;
        var state = context.State;
        var batch = state.Batch;
        var after = batch is null ? state.Timestamp.AfterBatch(0) : state.Timestamp.AfterBatch(batch.Size, batch.Tokens);
        Advance(state, after, after.Batch % _options.UpdateInterval.Count == 0);
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        switch (trainingEvent)
        {
            case TrainingEvent.FitStart:
                // After a resume the trainer rebuilt its schedulers; the SWA schedule replaces them again.
                if (_started && !Completed && _options.ScheduleSwaLr) state.Schedulers = Array.Empty<optim.lr_scheduler.LRScheduler>();
                break;
            case TrainingEvent.EpochEnd:
                if (_options.UpdateInterval.Unit == TimeUnit.Epoch)
                    Advance(state, state.Timestamp, state.Timestamp.Epoch % _options.UpdateInterval.Count == 0);
                break;
            case TrainingEvent.FitEnd:
                if (_started && !Completed && state.Progress >= 1) Finish(state);
                break;
        }
    }

    private void Advance(TrainingState state, Timestamp now, bool due)
    {
        if (Completed) return;
        if (!_started && now.HasReached(_options.SwaStart, state.MaxDuration, state.BatchesPerEpoch)) Start(state);
        if (!_started) return;
        if (due)
        {
            Swa.UpdateAverage(_average!, state.Model, _count++);
            if (_options.ScheduleSwaLr)
            {
                _lrStep++;
                SetLearningRates(state);
            }
        }
        if (now.HasReached(_options.SwaEnd, state.MaxDuration, state.BatchesPerEpoch)) Finish(state);
    }

    private void Start(TrainingState state)
    {
        _average = ShadowWeights.Of(state.Model, includeBuffers: false);
        _count = 0;
        _started = true;
        if (!_options.ScheduleSwaLr) return;
        _initialLrs = state.Optimizer.ParamGroups.Select(g => g.LearningRate).ToList();
        _lrStep = 0;
        state.Schedulers = Array.Empty<optim.lr_scheduler.LRScheduler>();
        SetLearningRates(state);
    }

    private void SetLearningRates(TrainingState state)
    {
        var groups = state.Optimizer.ParamGroups.ToList();
        for (var i = 0; i < groups.Count && i < _initialLrs.Count; i++)
            groups[i].LearningRate = Swa.AnnealedLearningRate(_initialLrs[i], _options.SwaLr!.Value, _lrStep, _options.AnnealSteps, _options.AnnealStrategy);
    }

    private void Finish(TrainingState state)
    {
        Completed = true;
        if (_count == 0) return; // nothing averaged yet: keep the trained weights
        _average!.CopyTo(state.Model);
        if (state.TrainData is { } data)
            Swa.UpdateBatchNorm(state.Model, data.GetEpoch(state.Timestamp.Epoch).Select(b => b.Input));
    }

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        s.Values["started"] = _started ? 1 : 0;
        s.Values["completed"] = Completed ? 1 : 0;
        s.Values["count"] = _count;
        s.Values["lrStep"] = _lrStep;
        s.Values["groups"] = _initialLrs.Count;
        for (var i = 0; i < _initialLrs.Count; i++) s.Values[string.Create(CultureInfo.InvariantCulture, $"initialLr/{i}")] = _initialLrs[i];
        if (_average is not null)
            foreach (var name in _average.Names) s.Tensors[AveragePrefix + name] = _average[name];
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _average?.Dispose();
        _average = null;
        double Value(string key) => state.Values.TryGetValue(key, out var v) ? v : 0;
        _started = Value("started") != 0;
        Completed = Value("completed") != 0;
        _count = (long)Value("count");
        _lrStep = (long)Value("lrStep");
        _initialLrs = Enumerable.Range(0, (int)Value("groups")).Select(i => Value(string.Create(CultureInfo.InvariantCulture, $"initialLr/{i}"))).ToList();
        var tensors = state.Tensors.Where(kv => kv.Key.StartsWith(AveragePrefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[AveragePrefix.Length..], kv => kv.Value);
        if (tensors.Count > 0) _average = ShadowWeights.FromTensors(tensors, includesBuffers: false);
    }

    /// <summary>Frees the average.</summary>
    public void Dispose()
    {
        _average?.Dispose();
        _average = null;
    }
}
