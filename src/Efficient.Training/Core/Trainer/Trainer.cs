using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace Efficient.Training;

/// <summary>How a fit ended and what it measured.</summary>
/// <param name="Timestamp">Where the run stopped.</param>
/// <param name="Metrics">The last evaluation's metrics (empty without evaluation data).</param>
/// <param name="StopReason">Why the run stopped (max duration, threshold, stop request, cancellation).</param>
/// <param name="TimeToThreshold">Training wall-clock time when the threshold metric was first reached, if it was.</param>
/// <param name="SurgeryReport">What model surgery changed.</param>
public sealed record FitResult(Timestamp Timestamp, IReadOnlyDictionary<string, double> Metrics, string StopReason, TimeSpan? TimeToThreshold, IReadOnlyList<string> SurgeryReport);

/// <summary>
/// A minimal, complete training loop: model surgery, microbatched steps with the taxonomy hooks,
/// schedulers with a scale-schedule ratio, periodic evaluation with metrics, stop-at-threshold,
/// checkpoints with exact resume, cancellation, and callbacks at every <see cref="TrainingEvent"/>.
/// </summary>
public sealed partial class Trainer
{
    private readonly TrainerOptions _options;
    private readonly AlgorithmPipeline _pipeline;
    private readonly List<ITrainingCallback> _callbacks;
    private readonly Checkpointer? _checkpointer;
    private TrainingState? _state;

    private Microsoft.Extensions.Logging.ILogger Log => _options.Logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private ModelSurgery? _surgery;
    private TimeSpan? _timeToThreshold;

    /// <summary>Validates the options (every invalid property is reported at once) and prepares the run.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public Trainer(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _pipeline = new AlgorithmPipeline(options.Algorithms.ToList());
        _callbacks = options.Callbacks.ToList();
        _callbacks.AddRange(options.Algorithms.OfType<ITrainingCallback>().Where(a => !_callbacks.Contains(a)));
        if (options.Checkpoint is not null) _checkpointer = new Checkpointer(options.Checkpoint);
    }

    /// <summary>
    /// Creates a trainer from options a .NET host built (bound from configuration and validated; see
    /// <see cref="EfficientTrainingServiceCollectionExtensions.AddEfficientTraining"/>).
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">Some options are invalid (the message lists them as <see cref="TrainerOptions.Validate"/> does).</exception>
    public Trainer(Microsoft.Extensions.Options.IOptions<TrainerOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>The run's state (null before the first <see cref="Fit"/>).</summary>
    public TrainingState? State => _state;

    /// <summary>Which algorithm ran at which stage and for how long.</summary>
    public AlgorithmTrace Trace => _pipeline.Trace;

    /// <summary>What the convolution check at fit start found (null before the first fit or when <see cref="TrainerOptions.CheckConvolutions"/> is false).</summary>
    public ConvolutionCheckResult? ConvolutionCheck { get; private set; }

    /// <summary>What model surgery changed.</summary>
    public IReadOnlyList<string> SurgeryReport => _surgery?.Report ?? Array.Empty<string>();

    /// <summary>A readable description of the loop: the events with the callbacks told, and the hook chains in order.</summary>
    public string DescribeLoop()
    {
        var sb = new StringBuilder();
        sb.AppendLine("Hook chains (registration order = outermost first):");
        foreach (var (stage, algorithms) in _pipeline.Stages())
            sb.AppendLine($"  {stage}: {(algorithms.Count == 0 ? "(none)" : string.Join(" -> ", algorithms))}");
        sb.AppendLine("Events (callbacks told, in order):");
        var names = _callbacks.Count == 0 ? "(none)" : string.Join(", ", _callbacks.Select(c => c is IAlgorithm a ? a.Name : c.GetType().Name));
        foreach (var e in Enum.GetValues<TrainingEvent>()) sb.AppendLine($"  {e}: {names}");
        return sb.ToString();
    }

    /// <summary>
    /// Trains until the maximum duration (× scale-schedule ratio), a threshold, a stop request or
    /// cancellation. With checkpointing and auto-resume, continues from the latest checkpoint.
    /// Calling it again continues the same run.
    /// </summary>
    public FitResult Fit(CancellationToken cancellationToken = default)
    {
        var state = _state ?? Setup();
        var stopReason = "";
        Fire(TrainingEvent.FitStart, state);
        try
        {
            while (stopReason.Length == 0)
            {
                if (state.HasReached(state.MaxDuration))
                {
                    stopReason = $"reached the maximum duration {state.MaxDuration}";
                    break;
                }
                var epoch = state.Timestamp.Epoch;
                var source = EpochSource(state);
                if (state.Timestamp.BatchInEpoch == 0) Fire(TrainingEvent.EpochStart, state);
                var completedEpoch = true;
                var batchesBefore = state.Timestamp.Batch;
                // Tensors the data source creates while producing a batch belong to that batch's
                // scope; tensors it already owned (e.g. preloaded batches) are left alone.
                using var batches = source.GetEpoch(epoch, state.Timestamp.BatchInEpoch).GetEnumerator();
                while (true)
                {
                    using var batchScope = NewDisposeScope();
                    if (!batches.MoveNext()) break;
                    stopReason = TrainOneBatch(state, batches.Current, cancellationToken);
                    var lastOfEpoch = state.BatchesPerEpoch is { } perEpoch && state.Timestamp.BatchInEpoch >= perEpoch;
                    if (stopReason.Length == 0 && !lastOfEpoch && state.HasReached(state.MaxDuration))
                        stopReason = $"reached the maximum duration {state.MaxDuration}";
                    if (stopReason.Length > 0)
                    {
                        completedEpoch = false;
                        break;
                    }
                }
                if (!completedEpoch) break;
                if (state.Timestamp.Batch == batchesBefore && state.Timestamp.BatchInEpoch == 0)
                    throw new InvalidOperationException($"The training data gave no batch in epoch {epoch}; expected at least one (an empty data set, or a data algorithm that dropped every sample).");
                state.Timestamp = state.Timestamp.AfterEpoch();
                if (_options.SchedulerInterval == SchedulerInterval.Epoch) StepSchedulers(state);
                Fire(TrainingEvent.EpochEnd, state);
                stopReason = AfterProgress(state, epochEnded: true, cancellationToken);
            }
        }
        finally
        {
            state.Batch = null;
            state.Outputs = null;
            state.Loss = null;
        }
        if (_checkpointer is not null && _options.Checkpoint!.SaveAtEnd && !_checkpointer.HasCheckpointAt(state.Timestamp))
            SaveCheckpoint(state);
        Fire(TrainingEvent.FitEnd, state);
        TrainerLog.FitEnded(Log, Checkpointer.NameFor(state.Timestamp), stopReason);
        return new FitResult(state.Timestamp, state.Metrics, stopReason, _timeToThreshold, SurgeryReport);
    }

    // The data-source hooks choose what this epoch iterates; the state's epoch sizes follow the source.
    private ITrainingData EpochSource(TrainingState state)
    {
        var source = _pipeline.Source(_options.TrainData!, state);
        state.BatchesPerEpoch = source.BatchesPerEpoch;
        state.SamplesPerEpoch = source.SamplesPerEpoch;
        state.TrainData = source;
        return source;
    }

    private TrainingState Setup()
    {
        manual_seed(_options.Seed);
        var model = _options.Model!;
        if (_options.Deterministic && model.parameters().Any(p => p.device_type != DeviceType.CPU))
            throw new NotSupportedException("TrainerOptions.Deterministic is set but the model is not on the CPU: TorchSharp 0.107 cannot switch libtorch to deterministic algorithms; train on the CPU or leave Deterministic false.");
        if (_options.CheckConvolutions)
        {
            ConvolutionCheck = Efficient.Training.ConvolutionCheck.Run(model);
            if (ConvolutionCheck.AllCorrect) TrainerLog.ConvolutionsChecked(Log, ConvolutionCheck.ToString());
            else TrainerLog.ConvolutionsWrong(Log, ConvolutionCheck.ToString());
        }
        _surgery = new ModelSurgery(model);
        // Resuming: surgery that depends on the run's progress (a model that grew) sees what its
        // algorithm saved in the checkpoint, so it rebuilds the module tree the weights were saved from.
        if (_checkpointer is not null && _options.Checkpoint!.AutoResume && _checkpointer.Latest() is { } resumeFrom)
            _surgery.ResumeStates = _checkpointer.ReadAlgorithmValues(resumeFrom);
        _pipeline.ApplySurgery(model, _surgery);
        foreach (var change in _surgery.Report) TrainerLog.Surgery(Log, change);
        PrecisionScope.Prepare(_options.Precision, _surgery);
        var optimizer = _options.Optimizer!(model.parameters().ToList())   // a list: TorchSharp's optimizers keep what they are given
            ?? throw new InvalidOperationException("TrainerOptions.Optimizer returned null; expected an optimizer built from the parameters it is given, e.g. p => optim.SGD(p, 0.1).");
        var max = _options.MaxDuration;
        var scaled = ScaledDuration(max, _options.ScaleScheduleRatio, _options.TrainData!.BatchesPerEpoch);
        if (_options.ScaleScheduleRatio != 1) TrainerLog.Scaled(Log, scaled.ToString(), max.ToString(), _options.ScaleScheduleRatio);
        var state = new TrainingState(model, optimizer, scaled, new Generator(unchecked((ulong)_options.Seed)), _options.Seed)
        {
            BatchesPerEpoch = _options.TrainData!.BatchesPerEpoch,
            SamplesPerEpoch = _options.TrainData.SamplesPerEpoch,
            TrainData = _options.TrainData,
            Precision = _options.Precision,
            ScaleScheduleRatio = _options.ScaleScheduleRatio,
            Trace = _pipeline.Trace,
        };
        // The schedulers see the epoch size the run trains on: the data-source hooks' first epoch
        // (data echoing serves more batches per epoch than the data set holds), not the raw data's.
        EpochSource(state);
        state.Schedulers = _options.Schedulers?.Invoke(optimizer, state).ToList() ?? new List<optim.lr_scheduler.LRScheduler>();
        _state = state;
        SetupDistributed(state);
        Fire(TrainingEvent.Init, state);
        if (_checkpointer is not null)
        {
            state.ResumeReport = PrepareCheckpoints(state);
            TrainerLog.Resume(Log, state.ResumeReport);
        }
        model.train();
        return state;
    }

    // Checks the folder, removes what an interrupted write left, and resumes from the latest checkpoint.
    private string PrepareCheckpoints(TrainingState state)
    {
        var checkpointer = _checkpointer!;
        var removed = state.IsRankZero ? checkpointer.Prepare() : 0;
        var cleaned = removed > 0 ? $" (removed {removed} unfinished checkpoint write(s) of an interrupted run)" : "";
        if (!_options.Checkpoint!.AutoResume) return $"not resuming (CheckpointOptions.AutoResume is false): starting fresh, checkpoints go to '{checkpointer.Folder}'{cleaned}";
        if (checkpointer.Latest() is not { } latest) return $"no checkpoint in '{checkpointer.Folder}': starting fresh{cleaned}";

        // Replay the schedulers up to the checkpoint first (recursive schedules such as cosine
        // annealing depend on every intermediate value); loading the optimizer afterwards
        // restores the identical learning rates.
        var saved = checkpointer.ReadTimestamp(latest);
        var steps = _options.SchedulerInterval == SchedulerInterval.Batch ? saved.Batch : saved.Epoch;
        for (long i = 0; i < steps; i++) StepSchedulers(state);
        var differences = checkpointer.Load(latest, state, _pipeline.Algorithms, Identity(state));
        SyncAfterResume();
        var differs = differences.Count > 0 ? $"; its run differed ({string.Join(", ", differences)}) and CheckpointOptions.AllowDifferentRun let it continue" : "";
        return $"resumed from {Path.GetFileName(latest)} in '{checkpointer.Folder}'{differs}{cleaned}";
    }

    private RunIdentity Identity(TrainingState state) => RunIdentity.Of(_options, state.WorldSize);

    /// <summary>
    /// The maximum duration times the scale-schedule ratio, rounded up to a whole count. A whole
    /// number of epochs that scales to a fraction (2ep × 0.6) becomes batches (when the epoch length
    /// is known), so the ratio is not lost to rounding up to whole epochs.
    /// </summary>
    internal static Duration ScaledDuration(Duration max, double ratio, long? batchesPerEpoch)
    {
        var value = max.Value * ratio;
        if (max.Unit == TimeUnit.Epoch && value != Math.Floor(value) && batchesPerEpoch is { } perEpoch)
            return Duration.Batches((long)Math.Max(1, Math.Ceiling(value * perEpoch - 1e-9)));
        return new Duration(Math.Max(1, Math.Ceiling(value - 1e-9)), max.Unit);
    }

    private string TrainOneBatch(TrainingState state, Batch loaded, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
        {
            state.IsTraining = true;
            var batch = _pipeline.TransformBatch(loaded, state);
            state.Batch = batch;
            Fire(TrainingEvent.BatchStart, state);

            var lossValue = RunMicrobatches(state, batch, fireEvents: true);
            Fire(TrainingEvent.BeforeOptimizerStep, state);
            _pipeline.Step(new StepContext(state, () => RecomputeGradients(state, batch)), () => state.Optimizer.step());
            Fire(TrainingEvent.AfterOptimizerStep, state);

            state.LastBatchLoss = lossValue;
            state.Timestamp = state.Timestamp.AfterBatch(batch.Size, batch.Tokens, watch.Elapsed);
            // After the timestamp moves, so time-based schedules (Schedulers/) set the next batch's LR.
            if (_options.SchedulerInterval == SchedulerInterval.Batch) StepSchedulers(state);
            Fire(TrainingEvent.BatchEnd, state);
            state.Batch = null;
            state.Outputs = null;
            state.Loss = null;
        }
        return AfterProgress(state, epochEnded: false, cancellationToken);
    }

    private double RunMicrobatches(TrainingState state, Batch batch, bool fireEvents)
    {
        var model = state.Model;
        state.Optimizer.zero_grad();
        var micro = batch.Split(Math.Min(_options.Microbatches, (int)Math.Min(int.MaxValue, batch.Size)));
        double total = 0;
        for (var i = 0; i < micro.Count; i++)
        {
            var context = new MicrobatchContext(state, micro[i], i, micro.Count);
            if (fireEvents) Fire(TrainingEvent.BeforeForward, state);
            Tensor outputs, loss;
            // Low precision covers the forward pass; the loss gets float32 outputs and runs in float32.
            using (PrecisionScope.Enter(state.Precision))
                outputs = _pipeline.Forward(context, () => CallModel(model, context.Batch.Input));
            state.Outputs = outputs;
            if (fireEvents)
            {
                Fire(TrainingEvent.AfterForward, state);
                Fire(TrainingEvent.BeforeLoss, state);
            }
            loss = _pipeline.Loss(context, PrecisionScope.ForLoss(state.Precision, outputs), context.Batch.Target, _options.LossFunction);
            state.Loss = loss;
            if (fireEvents)
            {
                Fire(TrainingEvent.AfterLoss, state);
                Fire(TrainingEvent.BeforeBackward, state);
            }
            // Mean-reduced losses: weight each microbatch by its share so the accumulated gradient
            // equals the gradient of the whole batch's mean loss.
            var weight = (double)micro[i].Size / batch.Size;
            // Data-parallel runs synchronize gradients once per step: earlier microbatches accumulate locally.
            IDisposable? localOnly = null;
            if (i < micro.Count - 1) EnterNoSync(ref localOnly);
            using (localOnly) (micro.Count == 1 ? loss : loss * weight).backward();
            total += loss.ToDouble() * weight;
            if (fireEvents) Fire(TrainingEvent.AfterBackward, state);
        }
        FinishGradientSync();
        return total;
    }

    private Tensor RecomputeGradients(TrainingState state, Batch batch)
    {
        var loss = RunMicrobatches(state, batch, fireEvents: false);
        return tensor(loss);
    }

    private void StepSchedulers(TrainingState state)
    {
        foreach (var s in state.Schedulers) s.step();
    }

    private string AfterProgress(TrainingState state, bool epochEnded, CancellationToken cancellationToken)
    {
        var evaluated = false;
        if (_options.EvalData is not null && IsDue(_options.EvalInterval, state, epochEnded))
        {
            Evaluate(state);
            evaluated = true;
        }
        if (_checkpointer is not null && IsDue(_options.Checkpoint!.Interval, state, epochEnded))
        {
            Fire(TrainingEvent.Checkpoint, state);
            SaveCheckpoint(state);
        }
        if (evaluated && _options.StopAtThreshold is { } threshold && state.Metrics.TryGetValue(threshold.Metric, out var value))
        {
            var metric = _options.Metrics.First(m => m.Name == threshold.Metric);
            var reached = metric.HigherIsBetter ? value >= threshold.Value : value <= threshold.Value;
            if (reached)
            {
                _timeToThreshold ??= state.Timestamp.TotalWallClock;
                return $"{threshold.Metric} reached {value:G6} (threshold {threshold.Value:G6}) at {state.Timestamp.Batch} batches";
            }
        }
        if (state.StopReason is not null) return state.StopReason;
        if (cancellationToken.IsCancellationRequested) return "cancelled";
        return "";
    }

    private bool IsDue(Duration interval, TrainingState state, bool epochEnded)
    {
        var t = state.Timestamp;
        if (interval.Unit == TimeUnit.Epoch) return epochEnded && t.Epoch % interval.Count == 0;
        if (epochEnded) return false;
        var now = t.Get(interval.Unit);
        var step = interval.Unit switch { TimeUnit.Batch => 1, TimeUnit.Sample => state.Batch?.Size ?? 0, _ => state.Batch?.Tokens ?? 0 };
        var before = now - step;
        return now / interval.Count > before / interval.Count;
    }

    /// <summary>Evaluates on <see cref="TrainerOptions.EvalData"/> (or <paramref name="data"/>) and returns the metrics.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(ITrainingData? data = null)
    {
        var state = _state ?? Setup();
        return Evaluate(state, data);
    }

    private IReadOnlyDictionary<string, double> Evaluate(TrainingState state, ITrainingData? data = null)
    {
        data ??= _options.EvalData ?? throw new InvalidOperationException("Evaluate needs evaluation data: set TrainerOptions.EvalData or pass it.");
        var model = state.Model;
        var wasTraining = model.training;
        state.IsTraining = false;
        Fire(TrainingEvent.EvalStart, state);
        foreach (var m in _options.Metrics) m.Reset();
        model.eval();
        try
        {
            using (no_grad())
            {
                using var batches = data.GetEpoch(0).GetEnumerator();
                while (true)
                {
                    using var scope = NewDisposeScope();
                    if (!batches.MoveNext()) break;
                    var loaded = batches.Current;
                    Fire(TrainingEvent.EvalBatchStart, state);
                    Tensor outputs;
                    double loss;
                    using (PrecisionScope.Enter(state.Precision))
                        outputs = model.call(loaded.Input);
                    outputs = PrecisionScope.ForLoss(state.Precision, outputs);
                    loss = _options.LossFunction(outputs, loaded.Target).ToDouble();
                    foreach (var m in _options.Metrics) m.Update(outputs, loaded.Target, loss);
                    Fire(TrainingEvent.EvalBatchEnd, state);
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        state.Metrics = _options.Metrics.ToDictionary(m => m.Name, m => m.Compute());
        ReduceMetrics(state);
        Fire(TrainingEvent.EvalEnd, state);
        return state.Metrics;
    }

    /// <summary>The model's outputs for <paramref name="input"/>, in evaluation mode without gradients.</summary>
    public Tensor Predict(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var model = (_state?.Model ?? _options.Model)!;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using (no_grad()) return model.call(input);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private void SaveCheckpoint(TrainingState state)
    {
        if (!state.IsRankZero) return; // data-parallel runs: rank 0 writes
        _checkpointer!.Save(state, _pipeline.Algorithms, Identity(state));
        TrainerLog.CheckpointSaved(Log, Path.Combine(_checkpointer.Folder, Checkpointer.NameFor(state.Timestamp)));
    }

    private Tensor CallModel(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        Tensor? output = null;
        DistributedForward(input, ref output);
        return output ?? model.call(input);
    }

    // Data-parallel training over Open MPI (Distributed/Trainer.Distributed.cs).
    partial void SetupDistributed(TrainingState state);
    partial void SyncAfterResume();
    partial void DistributedForward(Tensor input, ref Tensor? output);
    partial void EnterNoSync(ref IDisposable? scope);
    partial void FinishGradientSync();
    partial void ReduceMetrics(TrainingState state);

    private void Fire(TrainingEvent e, TrainingState state)
    {
        foreach (var c in _callbacks) c.OnEvent(e, state);
    }
}
