using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// The engine of <see cref="DistributedDataParallel"/>: assigns the trainable parameters to buckets
/// (reverse model order, at most a byte cap each, one dtype per bucket) and all-reduces each bucket
/// with a non-blocking <c>MPI_Iallreduce</c> as soon as backward has produced all of its gradients, so
/// communication overlaps the rest of backward; <see cref="Finish"/> launches what is left, waits, and
/// writes the rank-averaged gradients back.
/// </summary>
/// <remarks>
/// <para>How "backward has produced a gradient" is observed: TorchSharp 0.107 has no tensor gradient
/// hooks (no <c>Tensor.register_hook</c>, no post-accumulate-grad hook), but it has custom autograd
/// functions and forward pre-hooks. Every module that directly owns trainable parameters gets a
/// forward pre-hook that passes its input through <see cref="BackwardSignal"/>, an identity whose
/// backward runs once the gradient w.r.t. that input is computed. libtorch's engine computes a
/// module's parameter gradients in the same nodes as its input gradient and runs the parameters'
/// AccumulateGrad nodes first (they have the highest priority), so when the signal fires the
/// module's parameter gradients are accumulated. A module counts as done when it received as many
/// signals as it ran forwards (a module called twice is done after both backward passes); a
/// parameter is ready when all its owning modules are done.</para>
/// <para>Where this cannot be observed the bucket simply waits for <see cref="Finish"/>: modules
/// whose input does not require grad (the first layer), modules that are not
/// <c>Module&lt;Tensor, Tensor&gt;</c>, and parameters used outside their owner's forward. Buckets are
/// launched strictly in order, so every rank issues the same sequence of collectives whatever the
/// timing. A gradient that changes after its bucket was launched (a second backward without
/// <see cref="Finish"/>) is detected and reported by <see cref="Finish"/>.</para>
/// </remarks>
internal sealed class GradientReducer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Bucket[] _buckets;
    private readonly int[] _bucketOf;
    private readonly int[][] _ownersOf;              // parameter -> owning hooked modules
    private readonly int[][] _ownedBy;               // hooked module -> its parameters
    private readonly bool[] _untrackable;            // parameter has an owner that cannot be hooked
    private readonly List<nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover> _hooks = new();
    private readonly int _worldSize;
    private readonly TimeSpan? _timeout;

    // Per synchronization (reset by Finish).
    private readonly int[] _forwards;
    private readonly int[] _backwards;
    private readonly bool[] _unsignalled;            // a forward whose input did not require grad
    private readonly int[] _pendingOwners;
    private int _nextBucket;
    private string? _error;

    public GradientReducer(nn.Module module, IReadOnlyList<Parameter> parameters, double bucketCapMB, int worldSize, TimeSpan? timeout)
    {
        _parameters = parameters.ToArray();
        _worldSize = worldSize;
        _timeout = timeout;
        var cap = Math.Max(1L, (long)(bucketCapMB * 1024 * 1024));
        var buckets = new List<Bucket>();
        var current = new List<int>();
        long bytes = 0;
        ScalarType? wire = null;
        for (var i = _parameters.Length - 1; i >= 0; i--)
        {
            var p = _parameters[i];
            var (_, w) = ProcessGroup.ReduceType(p.dtype, nameof(parameters));
            var size = p.numel() * p.element_size();
            if (current.Count > 0 && (bytes + size > cap || w != wire))
            {
                buckets.Add(new Bucket(current.ToArray(), wire!.Value, _parameters));
                current.Clear();
                bytes = 0;
            }
            current.Add(i);
            bytes += size;
            wire = w;
        }
        if (current.Count > 0) buckets.Add(new Bucket(current.ToArray(), wire!.Value, _parameters));
        _buckets = buckets.ToArray();
        _bucketOf = new int[_parameters.Length];
        for (var b = 0; b < _buckets.Length; b++)
            foreach (var i in _buckets[b].Members) _bucketOf[i] = b;

        // Owners: every module that directly holds one of the parameters.
        var index = new Dictionary<IntPtr, int>();
        for (var i = 0; i < _parameters.Length; i++) index[_parameters[i].Handle] = i;
        var owners = Enumerable.Range(0, _parameters.Length).Select(_ => new List<int>()).ToArray();
        var owned = new List<int[]>();
        _untrackable = new bool[_parameters.Length];
        var modules = new List<nn.Module> { module };
        foreach (var m in module.modules()) if (!modules.Any(x => ReferenceEquals(x, m))) modules.Add(m);
        foreach (var m in modules)
        {
            var mine = m.named_parameters(recurse: false)
                .Select(np => index.TryGetValue(np.parameter.Handle, out var i) ? i : -1)
                .Where(i => i >= 0).Distinct().ToArray();
            if (mine.Length == 0) continue;
            if (m is not nn.Module<Tensor, Tensor> hookable)
            {
                foreach (var i in mine) _untrackable[i] = true;
                continue;
            }
            var moduleIndex = owned.Count;
            owned.Add(mine);
            foreach (var i in mine) owners[i].Add(moduleIndex);
            if (worldSize > 1) _hooks.Add(hookable.register_forward_pre_hook((_, input) => BeforeForward(moduleIndex, input)));
        }
        for (var i = 0; i < _parameters.Length; i++)
            if (owners[i].Count == 0) _untrackable[i] = true;
        _ownersOf = owners.Select(o => o.ToArray()).ToArray();
        _ownedBy = owned.ToArray();
        _forwards = new int[_ownedBy.Length];
        _backwards = new int[_ownedBy.Length];
        _unsignalled = new bool[_ownedBy.Length];
        _pendingOwners = new int[_parameters.Length];
        Reset();
    }

    /// <summary>The buckets in launch order, each listing indices into the parameters.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Buckets => _buckets.Select(b => (IReadOnlyList<int>)b.Members).ToArray();

    /// <summary>Whether the next backward passes synchronize (false inside NoSync).</summary>
    public bool SyncEnabled { get; set; } = true;

    /// <summary>A forward through the wrapper happened since the last <see cref="Finish"/>.</summary>
    public bool Pending { get; set; }

    /// <summary>How many buckets the last <see cref="Finish"/> found already launched during backward.</summary>
    public int LaunchedDuringBackward { get; private set; }

    private Tensor BeforeForward(int moduleIndex, Tensor input)
    {
        if (!is_grad_enabled()) return input;
        _forwards[moduleIndex]++;
        if (!input.requires_grad)
        {
            _unsignalled[moduleIndex] = true;
            return input;
        }
        return BackwardSignal.apply(input, new Signal(this, moduleIndex));
    }

    /// <summary>Called by <see cref="BackwardSignal"/> inside autograd: must not throw.</summary>
    internal void OnBackward(int moduleIndex)
    {
        try
        {
            _backwards[moduleIndex]++;
            var late = _ownedBy[moduleIndex].FirstOrDefault(i => _buckets[_bucketOf[i]].Launched, -1);
            if (late >= 0)
            {
                _error ??= $"The gradient of parameter {late} changed after its bucket was sent: run FinishGradientSync after every synchronized backward pass (wrap all but the last microbatch's backward in NoSync()).";
                return;
            }
            if (!SyncEnabled || _backwards[moduleIndex] != _forwards[moduleIndex] || _unsignalled[moduleIndex]) return;
            foreach (var i in _ownedBy[moduleIndex]) _pendingOwners[i]--;
            LaunchReady(onlyComplete: true);
            foreach (var b in _buckets)
                if (b.Launched) ProcessGroup.Poll(ref b.Request);
        }
        catch (Exception e)
        {
            _error ??= $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Launches buckets in order while the next one is complete (or all, at the end).</summary>
    private void LaunchReady(bool onlyComplete)
    {
        while (_nextBucket < _buckets.Length)
        {
            var bucket = _buckets[_nextBucket];
            if (onlyComplete && bucket.Members.Any(i => _untrackable[i] || _pendingOwners[i] > 0 || _ownersOf[i].Any(m => _unsignalled[m]))) return;
            bucket.Launch(_parameters);
            _nextBucket++;
        }
    }

    /// <summary>Launches the remaining buckets, waits for all and writes the averaged gradients back.</summary>
    public void Finish()
    {
        if (_error is { } error)
        {
            Reset();
            throw new InvalidOperationException($"Gradient synchronization failed during backward: {error}");
        }
        if (!Pending || !SyncEnabled) return;
        LaunchedDuringBackward = _nextBucket;
        try
        {
            LaunchReady(onlyComplete: false);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            for (var b = 0; b < _buckets.Length; b++)
            {
                var bucket = _buckets[b];
                ProcessGroup.Complete(ref bucket.Request, _timeout, $"gradient all-reduce (bucket {b + 1} of {_buckets.Length}, {bucket.Elements} values)");
                bucket.Unpack(_parameters, _worldSize);
            }
        }
        finally
        {
            Reset();
        }
    }

    private void Reset()
    {
        Array.Clear(_forwards);
        Array.Clear(_backwards);
        Array.Clear(_unsignalled);
        for (var i = 0; i < _parameters.Length; i++) _pendingOwners[i] = _ownersOf[i].Length;
        foreach (var b in _buckets) b.Launched = false;
        _nextBucket = 0;
        _error = null;
        Pending = false;
    }

    public void Dispose()
    {
        foreach (var h in _hooks) h.remove();
        _hooks.Clear();
        foreach (var b in _buckets) b.Flat.Dispose();
    }

    private sealed class Bucket
    {
        public readonly int[] Members;
        public readonly long[] Offsets;
        public readonly long Elements;
        public readonly Tensor Flat;
        public IntPtr Request;
        public bool Launched;

        public Bucket(int[] members, ScalarType wire, Parameter[] parameters)
        {
            Members = members;
            Offsets = new long[members.Length];
            long offset = 0;
            for (var k = 0; k < members.Length; k++)
            {
                Offsets[k] = offset;
                offset += parameters[members[k]].numel();
            }
            Elements = offset;
            if (Elements > int.MaxValue)
                throw new ArgumentOutOfRangeException("bucketCapMB", $"A gradient bucket would hold {Elements} values; MPI counts are 32-bit: lower the bucket cap.");
            // The communication buffer lives on the CPU (MPI works on host memory), one per bucket, reused every step.
            using (NewDisposeScope()) Flat = zeros(new[] { Elements }, wire).MoveToOuterDisposeScope();
        }

        public void Launch(Parameter[] parameters)
        {
            using (NewDisposeScope())
            using (no_grad())
            {
                for (var k = 0; k < Members.Length; k++)
                {
                    var p = parameters[Members[k]];
                    var slot = Flat.narrow(0, Offsets[k], p.numel());
                    if (p.grad is { } g) slot.copy_(g.reshape(-1));
                    else slot.zero_();
                }
            }
            Request = ProcessGroup.StartSum(Flat);
            Launched = true;
        }

        public void Unpack(Parameter[] parameters, int worldSize)
        {
            Flat.div_(worldSize);
            for (var k = 0; k < Members.Length; k++)
            {
                var p = parameters[Members[k]];
                var averaged = Flat.narrow(0, Offsets[k], p.numel()).view(p.shape);
                if (p.grad is { } g) g.copy_(averaged);
                else p.grad = averaged.to(p.dtype, p.device, copy: true);
            }
            Launched = false;
        }
    }

    private sealed record Signal(GradientReducer Reducer, int Module);

    /// <summary>The identity on a module's input whose backward tells the reducer that the module's gradients are in.</summary>
    private sealed class BackwardSignal : autograd.SingleTensorFunction<BackwardSignal>
    {
        public override string Name => "DistributedDataParallelBackwardSignal";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            ctx.save_data("signal", vars[1]);
            return ((Tensor)vars[0]).alias();
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var signal = (Signal)ctx.get_data("signal");
            signal.Reducer.OnBackward(signal.Module);
            return new List<Tensor> { grad_output, null! };
        }
    }
}
