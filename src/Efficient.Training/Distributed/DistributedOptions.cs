using System;

namespace Efficient.Training;

/// <summary>
/// Data-parallel training in the <see cref="Trainer"/> (<see cref="TrainerOptions.Distributed"/>).
/// Every rank runs the same program, started by <c>mpirun</c> (docs/distributed.md); the process
/// group must be initialized first (<see cref="ProcessGroup.Initialize"/>), and each rank should get
/// its own shard of the data (<see cref="DistributedTrainingData"/>). The trainer then wraps the
/// model (after surgery) in <see cref="DistributedDataParallel"/>, synchronizes gradients before
/// every optimizer step (accumulating microbatches locally), averages evaluation metrics over the
/// ranks, and lets only rank 0 write checkpoints. Logging callbacks (<see cref="ProgressBar"/>,
/// <see cref="MetricsLogger"/>) stay silent on other ranks (<see cref="TrainingState.IsRankZero"/>).
/// </summary>
public sealed class DistributedOptions
{
    /// <summary>Gradient bucket size cap in MiB; &gt; 0, default 25 (PyTorch's DDP default).</summary>
    public double BucketCapMB { get; set; } = 25;

    /// <summary>Copy rank 0's buffers (BatchNorm statistics) to every rank before each forward; default true.</summary>
    public bool BroadcastBuffers { get; set; } = true;

    /// <summary>Average evaluation metrics over the ranks (each rank evaluates its own data); default true.</summary>
    public bool ReduceMetrics { get; set; } = true;

    /// <summary>Timeout of each collective (null: <see cref="ProcessGroup.DefaultTimeout"/>); a rank that waits longer stops (<see cref="ProcessGroup.TimedOutExitCode"/>).</summary>
    public TimeSpan? Timeout { get; set; }
}
