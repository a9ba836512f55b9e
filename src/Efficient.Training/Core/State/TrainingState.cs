using System;
using System.Collections.Generic;

namespace Efficient.Training;

/// <summary>Numeric precision of the forward pass.</summary>
public enum Precision
{
    /// <summary>Everything in float32.</summary>
    Fp32,
    /// <summary>
    /// Mixed precision by explicit casts (TorchSharp has no autocast; the name is kept from the
    /// autocast days). At fit start, after the algorithms' surgery and before the optimizer is built,
    /// the Trainer prepares the model with <see cref="LowPrecision.Apply"/>: replaceable <c>Linear</c>
    /// and <c>Conv1d/2d/3d</c> layers become layers that, while the <see cref="LowPrecision"/> context is
    /// on, cast input, weight and bias to bfloat16 and compute there; LayerNorm, GroupNorm and layers
    /// that cannot be replaced get their input cast back to float32. The context is on around each
    /// forward pass only; the outputs are cast to float32 before the loss and the metrics. Weights,
    /// gradients and optimizer state stay float32. See <c>Core/Precision/README.md</c>.
    /// </summary>
    Bf16Autocast,
}

/// <summary>
/// One explicit, typed object holding everything about a run: the model, optimizer and schedulers,
/// the current batch, outputs and loss, the timestamp and maximum duration, precision, the random
/// generator, the latest metrics and a property bag for algorithm state. Hooks and callbacks read
/// it; only the trainer advances it.
/// </summary>
public sealed class TrainingState
{
    internal TrainingState(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Duration maxDuration, Generator rng, long seed)
    {
        Model = model;
        Optimizer = optimizer;
        MaxDuration = maxDuration;
        Rng = rng;
        Seed = seed;
    }

    /// <summary>The model being trained (after model surgery).</summary>
    public nn.Module<Tensor, Tensor> Model { get; internal set; }

    /// <summary>The optimizer.</summary>
    public optim.Optimizer Optimizer { get; internal set; }

    /// <summary>The learning-rate schedulers, stepped by the trainer.</summary>
    public IReadOnlyList<optim.lr_scheduler.LRScheduler> Schedulers { get; internal set; } = Array.Empty<optim.lr_scheduler.LRScheduler>();

    /// <summary>The batch being trained on (after data algorithms), or null between batches.</summary>
    public Batch? Batch { get; internal set; }

    /// <summary>The outputs of the last forward pass.</summary>
    public Tensor? Outputs { get; internal set; }

    /// <summary>The loss of the last microbatch (before any accumulation scaling).</summary>
    public Tensor? Loss { get; internal set; }

    /// <summary>The mean loss of the last completed batch, as a number.</summary>
    public double? LastBatchLoss { get; internal set; }

    /// <summary>Where the run is.</summary>
    public Timestamp Timestamp { get; internal set; } = Timestamp.Zero;

    /// <summary>How long the run trains (already multiplied by the scale-schedule ratio).</summary>
    public Duration MaxDuration { get; internal set; }

    /// <summary>The scale-schedule ratio the run was started with (already applied to <see cref="MaxDuration"/>; time-based schedules scale their explicit times by it).</summary>
    public double ScaleScheduleRatio { get; internal set; } = 1.0;

    /// <summary>Batches per epoch of the training data, when known.</summary>
    public long? BatchesPerEpoch { get; internal set; }

    /// <summary>The training data this epoch iterates (after the data-source hooks), for algorithms that make an extra pass (SWA's BatchNorm update).</summary>
    internal ITrainingData? TrainData { get; set; }

    /// <summary>Samples per epoch of the training data, when known.</summary>
    public long? SamplesPerEpoch { get; internal set; }

    /// <summary>Numeric precision of the forward pass.</summary>
    public Precision Precision { get; internal set; }

    /// <summary>The run's seed.</summary>
    public long Seed { get; }

    /// <summary>The generator algorithms draw from (seeded from the run's seed, checkpointed).</summary>
    public Generator Rng { get; }

    /// <summary>Whether the model is in a training step (false during evaluation).</summary>
    public bool IsTraining { get; internal set; }

    /// <summary>This process's rank in data-parallel training (0 when not distributed).</summary>
    public int Rank { get; internal set; }

    /// <summary>The number of data-parallel ranks (1 when not distributed).</summary>
    public int WorldSize { get; internal set; } = 1;

    /// <summary>Whether this process is rank 0, the one that writes checkpoints and logs.</summary>
    public bool IsRankZero => Rank == 0;

    /// <summary>The metrics of the latest evaluation, by name (e.g. <c>accuracy</c>, <c>loss</c>).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; internal set; } = new Dictionary<string, double>();

    /// <summary>Per-algorithm state that is not checkpointed (use <see cref="IStatefulAlgorithm"/> for what must be).</summary>
    public IDictionary<string, object> Items { get; } = new Dictionary<string, object>();

    /// <summary>Set by a callback or algorithm to end training after the current batch; the reason is reported.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Asks the trainer to stop after the current batch.</summary>
    public void RequestStop(string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("A stop request needs a reason.", nameof(reason));
        StopReason ??= reason;
    }

    /// <summary>Which algorithm ran at which stage and for how long (null outside a trainer).</summary>
    public AlgorithmTrace? Trace { get; internal set; }

    /// <summary>
    /// Whether the run has reached <paramref name="limit"/> at the current <see cref="Timestamp"/> (a
    /// <c>dur</c> limit is a fraction of <see cref="MaxDuration"/>; epochs are interpolated within an
    /// epoch when <see cref="BatchesPerEpoch"/> is known).
    /// </summary>
    public bool HasReached(Duration limit) => Timestamp.HasReached(limit, MaxDuration, BatchesPerEpoch);

    /// <summary>
    /// <paramref name="duration"/> in batches of this run: batches as they are, epochs times
    /// <see cref="BatchesPerEpoch"/>, samples at this run's samples per batch, <c>dur</c> as a fraction
    /// of <see cref="MaxDuration"/> in batches.
    /// </summary>
    /// <param name="duration">The duration to convert.</param>
    /// <param name="what">Names the duration in error messages (e.g. <c>"MagnitudePruning: Start"</c>).</param>
    /// <exception cref="InvalidOperationException">The duration is in tokens, or needs an epoch size the training data does not report.</exception>
    public double ToBatches(Duration duration, string? what = null)
    {
        var name = what is null ? duration.ToString() : $"{what} = {duration}";
        double PerEpoch() => BatchesPerEpoch ?? throw new InvalidOperationException($"{name} needs the number of batches per epoch, which the training data does not report; give it in ba.");
        double PerSample() => PerEpoch() / (SamplesPerEpoch ?? throw new InvalidOperationException($"{name} needs the number of samples per epoch, which the training data does not report; give it in ba."));
        return duration.Unit switch
        {
            TimeUnit.Batch => duration.Value,
            TimeUnit.Epoch => duration.Value * PerEpoch(),
            TimeUnit.Sample => duration.Value * PerSample(),
            TimeUnit.Duration => duration.Value * ToBatches(MaxDuration, "the maximum duration"),
            _ => throw new InvalidOperationException($"{name} is in tokens; give it in ep, ba, sp or dur."),
        };
    }

    /// <summary>
    /// What fit start did about checkpoints, in one line for a log (null without checkpointing):
    /// "resumed from ep1-ba18 in 'DIR'", "no checkpoint in 'DIR': starting fresh", or
    /// "not resuming (CheckpointOptions.AutoResume is false): starting fresh", plus the temporary
    /// folders of an interrupted write that were removed and, with
    /// <see cref="CheckpointOptions.AllowDifferentRun"/>, what differs from the checkpoint's run.
    /// Set before <see cref="TrainingEvent.FitStart"/>.
    /// </summary>
    public string? ResumeReport { get; internal set; }

    /// <summary>Progress through the run in [0, 1].</summary>
    public double Progress => Timestamp.Progress(MaxDuration, BatchesPerEpoch);
}
