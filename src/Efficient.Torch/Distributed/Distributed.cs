using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>
    /// Multi-process data parallelism over libtorch's c10d, with PyTorch's names
    /// (<c>torch.distributed</c>): one default process group per process (Gloo over TCP; NCCL
    /// only when the libtorch was built with it), rendezvous through a <c>TCPStore</c> on rank 0,
    /// and the collectives data-parallel training needs. TorchSharp has no equivalent.
    /// </summary>
    /// <remarks>
    /// Every collective must be called by every rank, in the same order. Each takes an optional
    /// timeout (default: the one given to <see cref="init_process_group"/>); a peer that dies or
    /// stops answering makes the call fail with an <see cref="ExternalException"/> carrying
    /// c10d's message instead of hanging. After such a failure the process group is unusable:
    /// destroy it (or exit).
    /// </remarks>
    public static class distributed
    {
        /// <summary>The default timeout of the process group and of each collective (30 minutes, as in PyTorch).</summary>
        public static readonly TimeSpan default_pg_timeout = TimeSpan.FromMinutes(30);

        /// <summary>How <see cref="all_reduce"/> combines the ranks' tensors.</summary>
        public enum ReduceOp
        {
            /// <summary>Element-wise sum.</summary>
            SUM,
            /// <summary>Element-wise mean (a sum divided by the world size; floating tensors only).</summary>
            AVG,
            /// <summary>Element-wise product.</summary>
            PRODUCT,
            /// <summary>Element-wise minimum.</summary>
            MIN,
            /// <summary>Element-wise maximum.</summary>
            MAX,
        }

        /// <summary>Whether distributed support was compiled into the native shim (it needs the Gloo headers at build time).</summary>
        public static bool is_available() => Native.ets_dist_backend_available("gloo") == 1;

        /// <summary>Whether <paramref name="backend"/> (<c>"gloo"</c> or <c>"nccl"</c>) can be used with this libtorch.</summary>
        public static bool is_backend_available(string backend)
        {
            ArgumentNullException.ThrowIfNull(backend);
            return Native.ets_dist_backend_available(backend.ToLowerInvariant()) == 1;
        }

        /// <summary>
        /// Joins the default process group. With <paramref name="init_method"/> null or
        /// <c>"env://"</c> (torchrun's convention) the rendezvous address comes from the environment
        /// variables <c>MASTER_ADDR</c> and <c>MASTER_PORT</c>, and <paramref name="rank"/> /
        /// <paramref name="world_size"/> default to <c>RANK</c> / <c>WORLD_SIZE</c>. With
        /// <c>"tcp://host:port"</c> the address is explicit and rank and world size must be given.
        /// Rank 0 hosts the rendezvous store; the call returns once every rank has joined (or
        /// throws when <paramref name="timeout"/> passes first).
        /// </summary>
        /// <param name="backend"><c>"gloo"</c> (CPU; always present) or <c>"nccl"</c> (only in a libtorch built with it).</param>
        /// <param name="init_method">Null or <c>"env://"</c>, or <c>"tcp://host:port"</c>.</param>
        /// <param name="timeout">Rendezvous and default collective timeout (default <see cref="default_pg_timeout"/>).</param>
        /// <param name="world_size">Number of processes, or -1 to read <c>WORLD_SIZE</c>.</param>
        /// <param name="rank">This process's rank in [0, world_size), or -1 to read <c>RANK</c>.</param>
        /// <exception cref="ArgumentException">A missing or malformed argument or environment variable.</exception>
        /// <exception cref="InvalidOperationException">The process group is already initialized.</exception>
        /// <exception cref="ExternalException">c10d failed (e.g. the rendezvous timed out).</exception>
        public static void init_process_group(string backend = "gloo", string? init_method = null, TimeSpan? timeout = null, int world_size = -1, int rank = -1)
        {
            ArgumentNullException.ThrowIfNull(backend);
            if (is_initialized())
                throw new InvalidOperationException("The default process group is already initialized; call torch.distributed.destroy_process_group() first.");
            var name = backend.ToLowerInvariant();
            if (!is_backend_available(name))
                throw new ArgumentException($"Backend '{backend}' is not available in this libtorch (expected 'gloo'{(is_backend_available("nccl") ? " or 'nccl'" : "")}).", nameof(backend));
            var wait = timeout ?? default_pg_timeout;
            if (wait <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");

            string host;
            int port;
            if (init_method is null || init_method == "env://")
            {
                host = RequireEnvironment("MASTER_ADDR");
                port = ParsePort(RequireEnvironment("MASTER_PORT"), "environment variable MASTER_PORT");
                if (world_size < 0) world_size = ParseInt(RequireEnvironment("WORLD_SIZE"), "WORLD_SIZE");
                if (rank < 0) rank = ParseInt(RequireEnvironment("RANK"), "RANK");
            }
            else if (init_method.StartsWith("tcp://", StringComparison.Ordinal))
            {
                var address = init_method["tcp://".Length..];
                var colon = address.LastIndexOf(':');
                if (colon <= 0) throw new ArgumentException($"init_method '{init_method}' must be 'tcp://host:port'.", nameof(init_method));
                host = address[..colon].Trim('[', ']');
                port = ParsePort(address[(colon + 1)..], $"the port of init_method '{init_method}'");
                if (world_size < 0 || rank < 0)
                    throw new ArgumentException($"With init_method '{init_method}', world_size and rank must be given (got world_size {world_size}, rank {rank}).", world_size < 0 ? nameof(world_size) : nameof(rank));
            }
            else
            {
                throw new ArgumentException($"init_method '{init_method}' is not supported (expected null, 'env://' or 'tcp://host:port').", nameof(init_method));
            }
            if (world_size < 1) throw new ArgumentOutOfRangeException(nameof(world_size), world_size, "The world size must be at least 1.");
            if (rank >= world_size) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank must be in [0, {world_size}).");
            Native.Check(Native.ets_dist_init(name, host, port, rank, world_size, Milliseconds(wait)));
        }

        /// <summary>Whether this process has joined the default process group.</summary>
        public static bool is_initialized() => Native.ets_dist_is_initialized() == 1;

        /// <summary>This process's rank in the default process group.</summary>
        /// <exception cref="InvalidOperationException">The process group is not initialized.</exception>
        public static int get_rank()
        {
            RequireInitialized();
            return (int)Native.Check((long)Native.ets_dist_rank());
        }

        /// <summary>The number of processes in the default process group.</summary>
        /// <exception cref="InvalidOperationException">The process group is not initialized.</exception>
        public static int get_world_size()
        {
            RequireInitialized();
            return (int)Native.Check((long)Native.ets_dist_world_size());
        }

        /// <summary>Leaves the default process group and frees it (the rendezvous store too on rank 0).</summary>
        /// <exception cref="InvalidOperationException">The process group is not initialized.</exception>
        public static void destroy_process_group()
        {
            RequireInitialized();
            Native.Check(Native.ets_dist_destroy());
        }

        /// <summary>
        /// Reduces <paramref name="tensor"/> across all ranks in place: afterwards every rank holds the
        /// combination (<see cref="ReduceOp.AVG"/> is a sum divided by the world size).
        /// </summary>
        /// <returns>With <paramref name="async_op"/>, the pending <see cref="Work"/> (wait on it before reading the tensor); otherwise null.</returns>
        /// <exception cref="ExternalException">c10d failed (a peer died, the timeout passed).</exception>
        public static Work? all_reduce(Tensor tensor, ReduceOp op = ReduceOp.SUM, bool async_op = false, TimeSpan? timeout = null)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            RequireInitialized();
            if (op == ReduceOp.AVG && !tensor.is_floating_point())
                throw new ArgumentException($"ReduceOp.AVG needs a floating-point tensor, got {tensor.dtype}.", nameof(tensor));
            var native = op switch { ReduceOp.SUM or ReduceOp.AVG => 0, ReduceOp.PRODUCT => 1, ReduceOp.MIN => 2, ReduceOp.MAX => 3, _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduce op.") };
            var handle = tensor.Handle;
            IntPtr work;
            unsafe { work = Native.ets_dist_all_reduce(&handle, 1, native, Milliseconds(timeout)); }
            GC.KeepAlive(tensor);
            Action? then = null;
            if (op == ReduceOp.AVG)
            {
                var world = get_world_size();
                then = () => { using (no_grad()) tensor.div_(world); };
            }
            return Finish(new Work(Native.CheckPointer(work), then, new object[] { tensor }), async_op, timeout);
        }

        /// <summary>Copies rank <paramref name="src"/>'s <paramref name="tensor"/> into the same tensor on every other rank.</summary>
        /// <returns>With <paramref name="async_op"/>, the pending <see cref="Work"/>; otherwise null.</returns>
        /// <exception cref="ExternalException">c10d failed (a peer died, the timeout passed, src out of range).</exception>
        public static Work? broadcast(Tensor tensor, int src, bool async_op = false, TimeSpan? timeout = null)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            RequireInitialized();
            var world = get_world_size();
            if (src < 0 || src >= world) throw new ArgumentOutOfRangeException(nameof(src), src, $"The source rank must be in [0, {world}).");
            var work = Native.ets_dist_broadcast(tensor.Handle, src, Milliseconds(timeout));
            GC.KeepAlive(tensor);
            return Finish(new Work(Native.CheckPointer(work), null, new object[] { tensor }), async_op, timeout);
        }

        /// <summary>Gathers every rank's <paramref name="tensor"/> into <paramref name="tensor_list"/> (one pre-allocated tensor per rank, in rank order).</summary>
        /// <returns>With <paramref name="async_op"/>, the pending <see cref="Work"/>; otherwise null.</returns>
        /// <exception cref="ArgumentException"><paramref name="tensor_list"/> does not hold one tensor per rank.</exception>
        /// <exception cref="ExternalException">c10d failed (a peer died, the timeout passed, shapes differ).</exception>
        public static Work? all_gather(IList<Tensor> tensor_list, Tensor tensor, bool async_op = false, TimeSpan? timeout = null)
        {
            ArgumentNullException.ThrowIfNull(tensor_list);
            ArgumentNullException.ThrowIfNull(tensor);
            RequireInitialized();
            var world = get_world_size();
            if (tensor_list.Count != world)
                throw new ArgumentException($"all_gather needs one output tensor per rank ({world}), got {tensor_list.Count}.", nameof(tensor_list));
            var raw = Tensor.Raw(new List<Tensor>(tensor_list));
            IntPtr work;
            unsafe
            {
                fixed (IntPtr* p = raw) work = Native.ets_dist_all_gather(p, raw.Length, tensor.Handle, Milliseconds(timeout));
            }
            GC.KeepAlive(tensor);
            return Finish(new Work(Native.CheckPointer(work), null, new object[] { tensor, tensor_list }), async_op, timeout);
        }

        /// <summary>Blocks until every rank has reached the barrier (or the timeout passes).</summary>
        /// <exception cref="ExternalException">c10d failed (a peer died, the timeout passed).</exception>
        public static void barrier(TimeSpan? timeout = null)
        {
            RequireInitialized();
            var work = new Work(Native.CheckPointer(Native.ets_dist_barrier(Milliseconds(timeout))), null, Array.Empty<object>());
            Finish(work, false, timeout);
        }

        /// <summary>A collective in flight (PyTorch's <c>Work</c>): wait on it before using its tensors.</summary>
        public sealed class Work : IDisposable
        {
            private IntPtr _handle;
            private Action? _then;
            private readonly object[] _keepAlive;

            internal Work(IntPtr handle, Action? then, object[] keepAlive)
            {
                _handle = handle;
                _then = then;
                _keepAlive = keepAlive;
            }

            /// <summary>Whether the collective has finished (successfully or not).</summary>
            public bool is_completed()
            {
                ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
                return Native.Check((long)Native.ets_dist_work_is_completed(_handle)) == 1;
            }

            /// <summary>Blocks until the collective finishes; throws c10d's error when it failed or the timeout passed.</summary>
            /// <exception cref="ExternalException">The collective failed or timed out.</exception>
            public void wait(TimeSpan? timeout = null)
            {
                ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
                Native.Check(Native.ets_dist_work_wait(_handle, Milliseconds(timeout)));
                GC.KeepAlive(_keepAlive);
                var then = _then;
                _then = null;
                then?.Invoke();
            }

            /// <summary>Frees the native work handle (the collective itself is not cancelled).</summary>
            public void Dispose()
            {
                if (_handle != IntPtr.Zero) Native.ets_dist_work_free(_handle);
                _handle = IntPtr.Zero;
                GC.SuppressFinalize(this);
            }

            /// <summary>Frees the native handle if <see cref="Dispose"/> was not called.</summary>
            ~Work()
            {
                if (_handle != IntPtr.Zero) Native.ets_dist_work_free(_handle);
            }
        }

        /// <summary>
        /// The engine of data-parallel training (c10d's <c>Reducer</c>): assigns the parameters
        /// to buckets of at most a byte cap, in reverse order, and all-reduces each bucket
        /// asynchronously (averaged over the ranks) as soon as backward has accumulated the gradient
        /// of every parameter in it, so communication overlaps the rest of backward.
        /// <see cref="finish"/> waits for every bucket and writes the averaged gradients back.
        /// </summary>
        public sealed class Reducer : IDisposable
        {
            private IntPtr _handle;
            private readonly Tensor[] _parameters;

            /// <summary>Registers the gradient hooks. The process group must be initialized.</summary>
            /// <param name="parameters">Leaf tensors that require grad, in model order.</param>
            /// <param name="bucket_cap_mb">Bucket size cap in MiB (default 25, as PyTorch's DDP).</param>
            /// <param name="timeout">Timeout of each bucket's all-reduce (default: the process group's).</param>
            /// <exception cref="ArgumentException">No parameters, or a non-positive cap.</exception>
            public Reducer(IEnumerable<Tensor> parameters, double bucket_cap_mb = 25, TimeSpan? timeout = null)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                RequireInitialized();
                _parameters = new List<Tensor>(parameters).ToArray();
                if (_parameters.Length == 0) throw new ArgumentException("The reducer needs at least one parameter that requires grad.", nameof(parameters));
                if (!(bucket_cap_mb > 0) || double.IsInfinity(bucket_cap_mb))
                    throw new ArgumentOutOfRangeException(nameof(bucket_cap_mb), bucket_cap_mb, "The bucket cap must be a positive number of MiB.");
                var raw = Tensor.Raw(_parameters);
                unsafe
                {
                    fixed (IntPtr* p = raw)
                        _handle = Native.CheckPointer(Native.ets_dist_reducer_new(p, raw.Length, Math.Max(1L, (long)(bucket_cap_mb * 1024 * 1024)), Milliseconds(timeout)));
                }
            }

            /// <summary>The buckets, in launch order, each listing the indices (into the constructor's parameters) it holds.</summary>
            public IReadOnlyList<IReadOnlyList<int>> Buckets
            {
                get
                {
                    ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
                    int count;
                    unsafe { count = (int)Native.Check((long)Native.ets_dist_reducer_buckets(_handle, null, null)); }
                    var sizes = new int[count];
                    var members = new int[_parameters.Length];
                    unsafe
                    {
                        fixed (int* s = sizes)
                        fixed (int* m = members)
                            Native.Check((long)Native.ets_dist_reducer_buckets(_handle, s, m));
                    }
                    var result = new List<IReadOnlyList<int>>();
                    var offset = 0;
                    foreach (var size in sizes)
                    {
                        result.Add(members.AsSpan(offset, size).ToArray());
                        offset += size;
                    }
                    return result;
                }
            }

            /// <summary>Turns gradient synchronization on or off for the following backward passes (off = gradients accumulate locally).</summary>
            public void set_sync(bool enabled)
            {
                ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
                Native.Check(Native.ets_dist_reducer_set_sync(_handle, enabled ? 1 : 0));
            }

            /// <summary>
            /// Launches the buckets backward did not complete (parameters without a gradient count as
            /// zeros), waits for every bucket and writes the averaged gradients into the parameters'
            /// <c>grad</c>. Does nothing when no gradient was produced since the last call.
            /// </summary>
            /// <exception cref="ExternalException">An all-reduce failed (a peer died, the timeout passed).</exception>
            public void finish()
            {
                ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
                Native.Check(Native.ets_dist_reducer_finish(_handle));
                GC.KeepAlive(_parameters);
            }

            /// <summary>Removes the gradient hooks and frees the reducer.</summary>
            public void Dispose()
            {
                if (_handle != IntPtr.Zero) Native.ets_dist_reducer_free(_handle);
                _handle = IntPtr.Zero;
            }
        }

        private static Work? Finish(Work work, bool asyncOp, TimeSpan? timeout)
        {
            if (asyncOp) return work;
            using (work) work.wait(timeout);
            return null;
        }

        private static void RequireInitialized()
        {
            if (!is_initialized())
                throw new InvalidOperationException("The default process group is not initialized: call torch.distributed.init_process_group first.");
        }

        private static long Milliseconds(TimeSpan? timeout)
        {
            if (timeout is null) return 0;
            if (timeout.Value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
            return Math.Max(1L, (long)Math.Ceiling(timeout.Value.TotalMilliseconds));
        }

        private static string RequireEnvironment(string name)
        {
            var value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"Environment variable {name} is not set; init_process_group with init_method 'env://' needs MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE (or pass rank and world_size).", "init_method");
            return value.Trim();
        }

        private static int ParseInt(string value, string what)
        {
            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result) || result < 0)
                throw new ArgumentException($"Environment variable {what} is '{value}', expected a non-negative integer.", "init_method");
            return result;
        }

        private static int ParsePort(string value, string what)
        {
            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                throw new ArgumentException($"{char.ToUpperInvariant(what[0])}{what[1..]} is '{value}', expected a port in [1, 65535].", "init_method");
            return port;
        }
    }
}
