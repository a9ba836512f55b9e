using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;

namespace Efficient.Training;

/// <summary>
/// Data-parallel training of one model replica per process, after PyTorch's
/// <c>torch.nn.parallel.DistributedDataParallel</c>, over Open MPI (<see cref="ProcessGroup"/>).
/// At construction the parameters and buffers are broadcast from rank 0, so every replica starts
/// identical. During backward, gradients are all-reduced in buckets (at most <c>bucketCapMB</c>
/// each, parameters in reverse order, as PyTorch) with non-blocking MPI calls as soon as a bucket's
/// gradients are in, overlapping communication with the rest of backward; <see cref="FinishGradientSync"/>
/// waits for the buckets and leaves every rank with the gradients averaged over the ranks, so
/// identical optimizer steps keep the replicas identical.
/// </summary>
/// <remarks>
/// <para>Call the model through this wrapper (its forward first copies rank 0's buffers, e.g.
/// BatchNorm running statistics, to every rank when <c>broadcastBuffers</c> is set, as PyTorch
/// does), call <see cref="FinishGradientSync"/> after each backward pass (before the optimizer
/// step), and wrap the backward passes that should only accumulate locally (all microbatches but
/// the last) in <see cref="NoSync"/>. Every rank must run the same number of forward and backward
/// passes. The wrapper registers the model as its submodule <c>module</c> (state-dict keys get a
/// <c>module.</c> prefix, as in PyTorch); the <see cref="Trainer"/> checkpoints the model itself.</para>
/// <para>How overlap works without gradient hooks (TorchSharp 0.107 has none): each module that
/// owns parameters passes its input through an identity autograd function whose backward runs
/// right after that module's gradients are accumulated (libtorch runs gradient accumulation first).
/// Gradients that cannot be observed that way (the first layer, whose input needs no gradient;
/// modules with several inputs; parameters used outside their module's forward) are reduced by
/// <see cref="FinishGradientSync"/>, which is always correct, just not overlapped.
/// <see cref="BucketsLaunchedDuringBackward"/> tells how many buckets overlapped in the last
/// step. Communication buffers are CPU tensors (MPI reduces host memory): gradients on a GPU are
/// copied through them.</para>
/// </remarks>
public sealed class DistributedDataParallel : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly GradientReducer? _reducer;
    private readonly TimeSpan? _timeout;
    private int _noSyncDepth;

    /// <summary>Wraps <paramref name="module"/>: broadcasts its state from rank 0 and hooks its gradients.</summary>
    /// <param name="module">The model replica (after any model surgery: its parameters must not change afterwards).</param>
    /// <param name="bucketCapMB">Bucket size cap in MiB (default 25, as PyTorch); larger buckets mean fewer, bigger all-reduces and less overlap.</param>
    /// <param name="broadcastBuffers">Copy rank 0's buffers to every rank before each forward (default true).</param>
    /// <param name="timeout">Timeout of each collective (default: <see cref="ProcessGroup.DefaultTimeout"/>).</param>
    /// <exception cref="InvalidOperationException">The process group is not initialized.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucketCapMB"/> is not a positive finite number, or <paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A trainable parameter of a type MPI cannot reduce.</exception>
    public DistributedDataParallel(nn.Module<Tensor, Tensor> module, double bucketCapMB = 25, bool broadcastBuffers = true, TimeSpan? timeout = null)
        : base(nameof(DistributedDataParallel))
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!ProcessGroup.IsInitialized)
            throw new InvalidOperationException("DistributedDataParallel needs the process group: call ProcessGroup.Initialize() first (and launch the ranks with mpirun, see docs/distributed.md).");
        if (!(bucketCapMB > 0) || double.IsInfinity(bucketCapMB))
            throw new ArgumentOutOfRangeException(nameof(bucketCapMB), bucketCapMB, "The bucket cap must be a positive number of MiB (PyTorch's default is 25).");
        if (timeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive, or null for the process group's default.");
        _module = module;
        _timeout = timeout;
        BucketCapMB = bucketCapMB;
        BroadcastBuffers = broadcastBuffers;
        Rank = ProcessGroup.Rank;
        WorldSize = ProcessGroup.WorldSize;
        register_module("module", module);
        SyncModuleStates();
        var trainable = module.parameters().Where(p => p.requires_grad).ToList();
        if (trainable.Count > 0) _reducer = new GradientReducer(module, trainable, bucketCapMB, WorldSize, timeout);
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

    /// <summary>The gradient buckets in launch order, as indices into the wrapped module's trainable parameters (in <c>parameters()</c> order).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Buckets => _reducer?.Buckets ?? Array.Empty<IReadOnlyList<int>>();

    /// <summary>How many buckets of the last synchronized step were launched while backward still ran (the rest went at <see cref="FinishGradientSync"/>).</summary>
    public int BucketsLaunchedDuringBackward => _reducer?.LaunchedDuringBackward ?? 0;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (WorldSize > 1)
        {
            if (BroadcastBuffers) BroadcastCoalesced(_module.buffers().ToList());
            if (_reducer is not null && is_grad_enabled()) _reducer.Pending = true;
        }
        return _module.call(input);
    }

    /// <summary>Copies rank 0's parameters and buffers to every rank (done at construction; the trainer calls it again after a resume).</summary>
    /// <exception cref="InvalidOperationException">The process group is not usable.</exception>
    /// <exception cref="ExternalException">MPI reported an error.</exception>
    public void SyncModuleStates()
    {
        if (WorldSize == 1) return;
        BroadcastCoalesced(_module.parameters().Cast<Tensor>().Concat(_module.buffers()).ToList());
    }

    // One broadcast per dtype (as PyTorch coalesces buffers) instead of one per tensor.
    private void BroadcastCoalesced(List<Tensor> tensors)
    {
        if (tensors.Count == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var group in tensors.GroupBy(b => (b.dtype, b.device_type)))
        {
            var members = group.ToList();
            var flat = members.Count == 1 ? members[0].reshape(-1).contiguous() : cat(members.Select(b => b.reshape(-1)).ToList());
            ProcessGroup.Broadcast(flat, 0, _timeout);
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
        if (_noSyncDepth++ == 0 && _reducer is not null) _reducer.SyncEnabled = false;
        return new Scope(this);
    }

    /// <summary>
    /// Waits for every gradient bucket and writes the rank-averaged gradients into the parameters'
    /// <c>grad</c> (a parameter without a gradient counts as zeros and gets the average). A collective
    /// that outlives the timeout stops the process (<see cref="ProcessGroup.TimedOutExitCode"/>). Call after
    /// backward and before the optimizer step; does nothing when no forward ran through this
    /// wrapper with gradients enabled since the last call, or inside <see cref="NoSync"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The process group is not usable, or a gradient changed after it was sent (two synchronized backward passes without this call between them).</exception>
    /// <exception cref="ExternalException">MPI reported an error.</exception>
    public void FinishGradientSync() => _reducer?.Finish();

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
            if (owner is not null && --owner._noSyncDepth == 0 && owner._reducer is not null) owner._reducer.SyncEnabled = true;
        }
    }
}
