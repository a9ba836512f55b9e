using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>When learning-rate schedulers are stepped.</summary>
public enum SchedulerInterval
{
    /// <summary>After every optimizer step.</summary>
    Batch,
    /// <summary>After every epoch.</summary>
    Epoch,
}

/// <summary>Checkpointing: where, how often, how many to keep, and whether to resume automatically.</summary>
public sealed class CheckpointOptions
{
    /// <summary>The folder checkpoints are written to (created if missing). Required.</summary>
    public string Folder { get; set; } = "";

    /// <summary>How often to save (default <c>1ep</c>; any unit but <c>dur</c>).</summary>
    public Duration Interval { get; set; } = Duration.Epochs(1);

    /// <summary>How many checkpoints to keep (oldest removed first); at least 1. Default 3.</summary>
    public int KeepLast { get; set; } = 3;

    /// <summary>Whether <see cref="Trainer.Fit"/> continues from the latest checkpoint in <see cref="Folder"/>. Default true.</summary>
    public bool AutoResume { get; set; } = true;

    /// <summary>Whether a checkpoint is also written when fit ends (completed, stopped or cancelled). Default true.</summary>
    public bool SaveAtEnd { get; set; } = true;

    /// <summary>
    /// Whether resuming may continue from a checkpoint written by a run with another seed, batch size,
    /// training-set size or number of data-parallel ranks (default false: such a checkpoint is refused,
    /// since the resumed run would not continue the same run). Set it to continue deliberately, for
    /// example on more data; <see cref="TrainingState.ResumeReport"/> then lists what differs.
    /// </summary>
    public bool AllowDifferentRun { get; set; }
}

/// <summary>
/// Everything a <see cref="Trainer"/> needs. A plain options class: set the properties, then the
/// trainer validates them once, at construction, and reports every invalid property at once.
/// </summary>
public sealed class TrainerOptions : IValidatableOptions
{
    /// <summary>The model to train. Required.</summary>
    public nn.Module<Tensor, Tensor>? Model { get; set; }

    /// <summary>Builds the optimizer from the model's parameters, after model surgery. Required.</summary>
    public Func<IEnumerable<Parameter>, optim.Optimizer>? Optimizer { get; set; }

    /// <summary>The training batches. Required.</summary>
    public ITrainingData? TrainData { get; set; }

    /// <summary>The evaluation batches (no evaluation when null).</summary>
    public ITrainingData? EvalData { get; set; }

    /// <summary>How long to train before the scale-schedule ratio is applied (default <c>1ep</c>; not <c>dur</c>).</summary>
    public Duration MaxDuration { get; set; } = Duration.Epochs(1);

    /// <summary>
    /// Scale-schedule ratio: train for <c>ratio × MaxDuration</c> with every schedule compressed to
    /// match (0 &lt; ratio ≤ 10; default 1). The result is rounded up to a whole count; epochs that
    /// scale to a fraction become batches (2ep × 0.6 on 100 batches per epoch = 120ba).
    /// </summary>
    public double ScaleScheduleRatio { get; set; } = 1.0;

    /// <summary>Microbatches per batch (gradient accumulation); 1 to 1024, default 1.</summary>
    public int Microbatches { get; set; } = 1;

    /// <summary>The loss of (outputs, targets); default mean cross-entropy.</summary>
    public Func<Tensor, Tensor, Tensor> LossFunction { get; set; } = (outputs, target) => nn.functional.cross_entropy(outputs.dim() > 2 ? outputs.reshape(-1, outputs.shape[^1]) : outputs, outputs.dim() > 2 ? target.reshape(-1) : target);

    /// <summary>
    /// Builds the learning-rate schedulers once the optimizer exists; the state tells the run's (scaled) length.
    /// Time-based schedules (<c>Efficient.Training.Schedulers</c>, e.g.
    /// <c>(opt, state) =&gt; new[] { new CosineAnnealingScheduler(t_warmup: "0.05dur").Attach(opt, state) }</c>)
    /// read the state's timestamp, so they honour the scale-schedule ratio and resume exactly.
    /// </summary>
    public Func<optim.Optimizer, TrainingState, IEnumerable<optim.lr_scheduler.LRScheduler>>? Schedulers { get; set; }

    /// <summary>When schedulers are stepped (default every batch).</summary>
    public SchedulerInterval SchedulerInterval { get; set; } = SchedulerInterval.Batch;

    /// <summary>The training techniques, in the order their hooks compose.</summary>
    public IList<IAlgorithm> Algorithms { get; set; } = new List<IAlgorithm>();

    /// <summary>Observers of the loop, told each event in registration order.</summary>
    public IList<ITrainingCallback> Callbacks { get; set; } = new List<ITrainingCallback>();

    /// <summary>How often to evaluate (default every epoch; not <c>dur</c>). Ignored without <see cref="EvalData"/>.</summary>
    public Duration EvalInterval { get; set; } = Duration.Epochs(1);

    /// <summary>Evaluation metrics (default accuracy and loss).</summary>
    public IList<IMetric> Metrics { get; set; } = new List<IMetric> { new Accuracy(), new LossMetric() };

    /// <summary>The run's seed (weights already built are not re-initialised).</summary>
    public long Seed { get; set; } = 42;

    /// <summary>
    /// Whether the run must be bitwise reproducible. On the CPU libtorch's kernels are deterministic for
    /// a given seed and thread count, so this only checks that the model is on the CPU: TorchSharp 0.107
    /// cannot switch libtorch's deterministic mode (<c>use_deterministic_algorithms</c> is not
    /// implemented), which CUDA kernels would need, so a CUDA model with this set is refused at fit start.
    /// </summary>
    public bool Deterministic { get; set; }

    /// <summary>
    /// Whether fit start runs <see cref="ConvolutionCheck.Run"/> on the model (default true): it
    /// compares libtorch's oneDNN convolutions with libtorch's reference kernels for each convolution
    /// shape of the model (once per shape and process, milliseconds) and switches oneDNN off when they
    /// disagree, which they do on some CPUs; <see cref="Trainer.ConvolutionCheck"/> holds the result.
    /// </summary>
    public bool CheckConvolutions { get; set; } = true;

    /// <summary>
    /// Where the trainer reports what it does (<c>Microsoft.Extensions.Logging</c>): the convolution
    /// check's warning, model surgery, what resume did, each checkpoint written and why fit ended.
    /// Default: nothing is logged. With <see cref="EfficientTrainingServiceCollectionExtensions.AddEfficientTraining"/>
    /// the host's <c>ILoggerFactory</c> provides one when this is not set.
    /// </summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }

    /// <summary>Numeric precision of the forward pass.</summary>
    public Precision Precision { get; set; } = Precision.Fp32;

    /// <summary>Checkpointing (none when null).</summary>
    public CheckpointOptions? Checkpoint { get; set; }

    /// <summary>Stop as soon as an evaluation reaches this metric value (e.g. <c>("accuracy", 0.9)</c>); the time is recorded.</summary>
    public (string Metric, double Value)? StopAtThreshold { get; set; }

    /// <summary>
    /// Data-parallel training over the initialized <see cref="ProcessGroup"/> (Open MPI; none when null): see
    /// <see cref="DistributedOptions"/>.
    /// </summary>
    public DistributedOptions? Distributed { get; set; }

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(TrainerOptions));
        v.NotNull(Model, nameof(Model));
        v.NotNull(Optimizer, nameof(Optimizer));
        v.NotNull(TrainData, nameof(TrainData));
        if (TrainData is not null)
            v.Require(TrainData.BatchesPerEpoch != 0 && TrainData.SamplesPerEpoch != 0, nameof(TrainData), $"{TrainData.SamplesPerEpoch} samples in {TrainData.BatchesPerEpoch} batches per epoch", "training data with at least one batch per epoch");
        v.NotNull(LossFunction, nameof(LossFunction));
        v.Require(MaxDuration.Unit != TimeUnit.Duration && MaxDuration.Value > 0, nameof(MaxDuration), MaxDuration, "a positive duration in ep, ba, sp or tok");
        v.Require(ScaleScheduleRatio > 0 && ScaleScheduleRatio <= 10, nameof(ScaleScheduleRatio), ScaleScheduleRatio, "a value in (0, 10]");
        v.Require(Microbatches is >= 1 and <= 1024, nameof(Microbatches), Microbatches, "a value in [1, 1024]");
        v.Require(EvalInterval.Unit != TimeUnit.Duration && EvalInterval.Value > 0, nameof(EvalInterval), EvalInterval, "a positive duration in ep, ba, sp or tok");
        v.NotNull(Algorithms, nameof(Algorithms));
        v.NotNull(Callbacks, nameof(Callbacks));
        v.NotNull(Metrics, nameof(Metrics));
        if (Algorithms is not null)
        {
            v.Require(Algorithms.All(a => a is not null), nameof(Algorithms), "a list with a null entry", "no null entries");
            var duplicates = Algorithms.Where(a => a is not null).GroupBy(a => a.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            v.Require(duplicates.Count == 0, nameof(Algorithms), string.Join(", ", duplicates), "algorithm names to be unique (they key checkpointed state)");
        }
        if (Callbacks is not null) v.Require(Callbacks.All(c => c is not null), nameof(Callbacks), "a list with a null entry", "no null entries");
        if (Checkpoint is not null)
        {
            v.Require(!string.IsNullOrWhiteSpace(Checkpoint.Folder), "Checkpoint.Folder", Checkpoint.Folder, "a folder path");
            v.Require(Checkpoint.Interval.Unit != TimeUnit.Duration && Checkpoint.Interval.Value > 0, "Checkpoint.Interval", Checkpoint.Interval, "a positive duration in ep, ba, sp or tok");
            v.Require(Checkpoint.KeepLast >= 1, "Checkpoint.KeepLast", Checkpoint.KeepLast, "a value >= 1");
        }
        if (StopAtThreshold is { } t)
        {
            v.Require(Metrics?.Any(m => m.Name == t.Metric) ?? false, "StopAtThreshold.Metric", t.Metric, $"one of the metrics ({string.Join(", ", Metrics?.Select(m => m.Name) ?? Array.Empty<string>())})");
            v.Require(EvalData is not null, "StopAtThreshold", t.Metric, "EvalData to be set (thresholds are checked at evaluation)");
        }
        if (Distributed is not null)
        {
            v.Require(Distributed.BucketCapMB > 0 && !double.IsInfinity(Distributed.BucketCapMB), "Distributed.BucketCapMB", Distributed.BucketCapMB, "a positive number of MiB");
            v.Require(Distributed.Timeout is null || Distributed.Timeout > TimeSpan.Zero, "Distributed.Timeout", Distributed.Timeout, "a positive time span or null");
        }
        v.ThrowIfInvalid();
    }
}
