using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// The engine of <see cref="DistributedDataParallel"/>: assigns the trainable parameters to buckets
/// (reverse model order, at most a byte cap each, one dtype per bucket) and, once backward is done,
/// all-reduces bucket after bucket (a copy into a flat CPU buffer, <c>MPI_Allreduce</c> in place,
/// division by the world size, a copy back into <c>grad</c>).
/// </summary>
/// <remarks>
/// Why not overlapped with backward, as PyTorch's DDP does: TorchSharp 0.107 has no gradient hooks
/// (no <c>Tensor.register_hook</c>, no post-accumulate-grad hook); an identity autograd function on
/// each module's input can signal "this module's gradients are in" during backward, and a prototype
/// launched each ready bucket with <c>MPI_Iallreduce</c>. With Debian's Open MPI 4.1.4 (libnbc) the
/// non-blocking collectives corrupted memory of the process now and then (NaN in gradients in about
/// one run in five, never with the blocking calls; the same happened with <c>MPI_Ibcast</c> on buffers
/// freed after completion). Correctness first: buckets are reduced with blocking calls after backward.
/// Only communication time is lost (about 2 ms per 4 MB on one machine).
/// </remarks>
internal sealed class GradientReducer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Bucket[] _buckets;
    private readonly int _worldSize;
    private readonly TimeSpan? _timeout;

    public GradientReducer(IReadOnlyList<Parameter> parameters, double bucketCapMB, int worldSize, TimeSpan? timeout)
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
    }

    /// <summary>The buckets in reduction order, each listing indices into the parameters.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Buckets => _buckets.Select(b => (IReadOnlyList<int>)b.Members).ToArray();

    /// <summary>Whether the next backward passes synchronize (false inside NoSync).</summary>
    public bool SyncEnabled { get; set; } = true;

    /// <summary>A forward through the wrapper with gradients enabled happened since the last <see cref="Finish"/>.</summary>
    public bool Pending { get; set; }

    /// <summary>All-reduces every bucket and writes the averaged gradients back.</summary>
    public void Finish()
    {
        if (!Pending || !SyncEnabled) return;
        Pending = false;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (var b = 0; b < _buckets.Length; b++)
        {
            var bucket = _buckets[b];
            bucket.Pack(_parameters);
            ProcessGroup.AllReduceInPlace(bucket.Flat, _timeout, $"gradient all-reduce (bucket {b + 1} of {_buckets.Length}, {bucket.Elements} values)");
            bucket.Unpack(_parameters, _worldSize);
        }
    }

    public void Dispose()
    {
        foreach (var b in _buckets) b.Flat.Dispose();
    }

    private sealed class Bucket
    {
        public readonly int[] Members;
        public readonly long[] Offsets;
        public readonly long Elements;
        public readonly Tensor Flat;

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
            // The communication buffer lives on the CPU (MPI works on host memory), one per bucket, reused every step.
            using (NewDisposeScope()) Flat = zeros(new[] { Elements }, wire).MoveToOuterDisposeScope();
        }

        public void Pack(Parameter[] parameters)
        {
            for (var k = 0; k < Members.Length; k++)
            {
                var p = parameters[Members[k]];
                var slot = Flat.narrow(0, Offsets[k], p.numel());
                if (p.grad is { } g) slot.copy_(g.reshape(-1));
                else slot.zero_();
            }
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
        }
    }
}
