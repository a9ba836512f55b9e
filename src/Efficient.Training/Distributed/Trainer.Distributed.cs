using System;
using System.Linq;

namespace Efficient.Training;

/// <summary>The trainer's data-parallel part (<see cref="TrainerOptions.Distributed"/>).</summary>
public sealed partial class Trainer
{
    private DistributedDataParallel? _ddp;

    /// <summary>The data-parallel wrapper of the model (null unless <see cref="TrainerOptions.Distributed"/> is set and fit has started).</summary>
    public DistributedDataParallel? DataParallel => _ddp;

    partial void SetupDistributed(TrainingState state)
    {
        var options = _options.Distributed;
        if (options is null) return;
        if (!ProcessGroup.IsInitialized)
            throw new InvalidOperationException("TrainerOptions.Distributed is set but the process group is not initialized: call ProcessGroup.Initialize() first and launch the ranks with mpirun (see docs/distributed.md).");
        // After model surgery (parameters are final) and with the optimizer built on the same parameters.
        _ddp = new DistributedDataParallel(state.Model, options.BucketCapMB, options.BroadcastBuffers, options.Timeout);
        state.Rank = _ddp.Rank;
        state.WorldSize = _ddp.WorldSize;
    }

    // Every rank loads the same checkpoint (the folder must be shared); this guards against a rank that read a different one.
    partial void SyncAfterResume() => _ddp?.SyncModuleStates();

    partial void DistributedForward(Tensor input, ref Tensor? output)
    {
        if (_ddp is not null) output = _ddp.call(input);
    }

    partial void EnterNoSync(ref IDisposable? scope)
    {
        if (_ddp is not null) scope = _ddp.NoSync();
    }

    partial void FinishGradientSync() => _ddp?.FinishGradientSync();

    partial void ReduceMetrics(TrainingState state)
    {
        if (_ddp is null || _ddp.WorldSize == 1 || !_options.Distributed!.ReduceMetrics || state.Metrics.Count == 0) return;
        var names = state.Metrics.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var values = names.Select(n => state.Metrics[n]).ToArray();
        ProcessGroup.AllReduce(values, ReduceOp.Average, _options.Distributed.Timeout);
        state.Metrics = names.Select((n, i) => (n, v: values[i])).ToDictionary(x => x.n, x => x.v);
    }
}
