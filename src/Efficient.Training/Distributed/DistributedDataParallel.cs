#if !TORCHSHARP_BACKEND
using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// Data-parallel training of one model replica per process, after PyTorch's
/// <c>torch.nn.parallel.DistributedDataParallel</c>. At construction the parameters and buffers
/// are broadcast from rank 0, so every replica starts identical. During backward, gradients are
/// all-reduced in buckets (at most <c>bucketCapMB</c> each, parameters in reverse order) as soon
/// as a bucket's gradients are accumulated, overlapping communication with the rest of backward;
/// <see cref="FinishGradientSync"/> waits for the buckets and leaves every rank with the
/// gradients averaged over the ranks, so identical optimizer steps keep the replicas identical.
/// </summary>
/// <remarks>
/// The wrapper forwards to the wrapped module and, with <c>broadcastBuffers</c>, first copies rank
/// 0's buffers (e.g. BatchNorm running statistics) to every rank, as PyTorch does. It is registered
/// as the submodule <c>module</c> (state-dict keys get a <c>module.</c> prefix, as in PyTorch); the
/// <see cref="Trainer"/> checkpoints the wrapped module itself. Call
/// <see cref="FinishGradientSync"/> after each backward pass (before the optimizer step); wrap
/// backward passes that should accumulate locally (all microbatches but the last) in
/// <see cref="NoSync"/>. Every rank must run the same number of forward/backward passes.
/// </remarks>
public sealed class DistributedDataParallel : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly distributed.Reducer? _reducer;
    private readonly TimeSpan? _timeout;
    private int _noSyncDepth;

    /// <summary>Wraps <paramref name="module"/>: broadcasts its state from rank 0 and registers the gradient hooks.</summary>
    /// <param name="module">The model replica (after any model surgery: parameters must not change afterwards).</param>
    /// <param name="bucketCapMB">Bucket size cap in MiB (default 25, as PyTorch); larger buckets mean fewer, bigger all-reduces and less overlap.</param>
    /// <param name="broadcastBuffers">Copy rank 0's buffers to every rank before each forward (default true).</param>
    /// <param name="timeout">Timeout of each collective (default: the process group's).</param>
    /// <exception cref="InvalidOperationException">No process group is initialized.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucketCapMB"/> is not positive.</exception>
    public DistributedDataParallel(nn.Module<Tensor, Tensor> module, double bucketCapMB = 25, bool broadcastBuffers = true, TimeSpan? timeout = null)
        : base(nameof(DistributedDataParallel))
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!distributed.is_initialized())
            throw new InvalidOperationException("DistributedDataParallel needs the default process group: call torch.distributed.init_process_group first.");
        if (!(bucketCapMB > 0) || double.IsInfinity(bucketCapMB))
            throw new ArgumentOutOfRangeException(nameof(bucketCapMB), bucketCapMB, "The bucket cap must be a positive number of MiB (PyTorch's default is 25).");
        _module = module;
        _timeout = timeout;
        BucketCapMB = bucketCapMB;
        BroadcastBuffers = broadcastBuffers;
        Rank = distributed.get_rank();
        WorldSize = distributed.get_world_size();
        register_module("module", module);
        SyncModuleStates();
        var trainable = module.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        if (trainable.Count > 0) _reducer = new distributed.Reducer(trainable, bucketCapMB, timeout);
    }

    /// <summary>The wrapped module.</summary>
    public nn.Module<Tensor, Tensor> Module => _module;

    /// <summary>This process's rank.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public int WorldSize { get; }

    /// <summary>The bucket size cap in MiB.</summary>
    public double BucketCapMB { get; }

    /// <summary>Whether rank 0's buffers are broadcast before each forward.</summary>
    public bool BroadcastBuffers { get; }

    /// <summary>The gradient buckets in launch order, as indices into the wrapped module's trainable parameters.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Buckets => _reducer?.Buckets ?? Array.Empty<IReadOnlyList<int>>();

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (BroadcastBuffers && WorldSize > 1) BroadcastCoalesced(_module.buffers().ToList());
        return _module.call(input);
    }

    /// <summary>Copies rank 0's parameters and buffers to every rank (done at construction; call again after loading a checkpoint on rank 0 only).</summary>
    public void SyncModuleStates()
    {
        if (WorldSize == 1) return;
        using (no_grad())
        {
            foreach (var p in _module.parameters()) distributed.broadcast(p, 0, timeout: _timeout);
            foreach (var b in _module.buffers()) distributed.broadcast(b, 0, timeout: _timeout);
        }
    }

    // One broadcast per dtype (as PyTorch coalesces buffers) instead of one per buffer.
    private void BroadcastCoalesced(List<Tensor> buffers)
    {
        if (buffers.Count == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var group in buffers.GroupBy(b => b.dtype))
        {
            var members = group.ToList();
            var flat = cat(members.Select(b => b.reshape(-1)).ToList());
            distributed.broadcast(flat, 0, timeout: _timeout);
            if (Rank == 0) continue;
            long offset = 0;
            foreach (var b in members)
            {
                var n = b.numel();
                b.copy_(flat.narrow(0, offset, n).view(b.shape));
                offset += n;
            }
        }
    }

    /// <summary>
    /// Gradients of the backward passes inside the returned scope accumulate locally, without
    /// communication (PyTorch's <c>no_sync()</c>); the next backward outside it synchronizes the
    /// accumulated sum. Use it for all microbatches of a gradient-accumulation step but the last.
    /// </summary>
    public IDisposable NoSync()
    {
        if (_noSyncDepth++ == 0) _reducer?.set_sync(false);
        return new Scope(this);
    }

    /// <summary>
    /// Waits for every gradient bucket and writes the rank-averaged gradients into the parameters'
    /// <c>grad</c>. Call after backward and before the optimizer step; does nothing when no
    /// gradient was produced since the last call.
    /// </summary>
    /// <exception cref="System.Runtime.InteropServices.ExternalException">An all-reduce failed (a rank died, the timeout passed).</exception>
    public void FinishGradientSync() => _reducer?.finish();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _reducer?.Dispose();
        base.Dispose(disposing);
    }

    private sealed class Scope : IDisposable
    {
        private DistributedDataParallel? _owner;

        public Scope(DistributedDataParallel owner) => _owner = owner;

        public void Dispose()
        {
            var owner = _owner;
            _owner = null;
            if (owner is not null && --owner._noSyncDepth == 0) owner._reducer?.set_sync(true);
        }
    }
}
#endif
