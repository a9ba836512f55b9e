using System;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Efficient.Training;

/// <summary>How <see cref="ProcessGroup.AllReduce(Tensor, ReduceOp, TimeSpan?)"/> combines the ranks' values.</summary>
public enum ReduceOp
{
    /// <summary>Element-wise sum.</summary>
    Sum,
    /// <summary>Element-wise mean: the sum divided by the world size (floating-point values only).</summary>
    Average,
    /// <summary>Element-wise maximum.</summary>
    Max,
    /// <summary>Element-wise minimum.</summary>
    Min,
    /// <summary>Element-wise product.</summary>
    Product,
}

/// <summary>
/// The processes of a data-parallel job and the collectives between them, over Open MPI (TorchSharp
/// has no <c>torch.distributed</c>). Launch every rank with <c>mpirun -np N dotnet app.dll</c> (see
/// docs/distributed.md), call <see cref="Initialize"/> once at start, and <see cref="Shutdown"/>
/// before the process ends normally. <see cref="DistributedDataParallel"/>,
/// <see cref="DistributedTrainingData"/> and <see cref="TrainerOptions.Distributed"/> build on it.
/// </summary>
/// <remarks>
/// <para>Every collective must be called by every rank, in the same order. Tensors are exchanged in
/// place when they are contiguous CPU tensors of a type MPI reduces (float32, float64, int32, int64);
/// others (CUDA tensors, float16, bfloat16, non-contiguous views) go through a contiguous CPU staging
/// copy. MPI errors become <see cref="ExternalException"/>s with MPI's message (the communicator uses
/// <c>MPI_ERRORS_RETURN</c>); after one the process group is unusable: end the process (mpirun then
/// stops the other ranks). A collective that outlives its timeout stops the process at once with a
/// one-line message on standard error and exit code <see cref="TimedOutExitCode"/> (a rank blocked
/// in MPI cannot be unblocked, so there is nothing to recover).</para>
/// <para>The public collectives are MPI's blocking ones; <see cref="DistributedDataParallel"/>
/// reduces gradient buckets with <c>MPI_Iallreduce</c> while backward runs and waits for them by
/// polling <c>MPI_Test</c> under the same timeout.</para>
/// <para>Faults: when a rank dies, mpirun sends SIGTERM to the others; after <see cref="Initialize"/>
/// each rank answers SIGTERM by writing one line to standard error
/// (<c>Efficient.Training: rank 0 of 2 stops: ...</c>) and exiting with code 143 at once, even while
/// it waits inside a collective. A rank started by mpirun also watches its launcher and exits the same
/// way (code 1) when the launcher is gone. Checkpoints are written atomically, so the last complete one
/// stays loadable.</para>
/// </remarks>
public static class ProcessGroup
{
    /// <summary>The exit code of a rank stopped by SIGTERM (128 + 15, the shells' convention).</summary>
    public const int TerminatedExitCode = 143;

    /// <summary>The exit code of a rank whose launcher (mpirun) disappeared.</summary>
    public const int LauncherLostExitCode = 1;

    /// <summary>The exit code of a rank whose collective outlived its timeout (as <c>timeout(1)</c>'s).</summary>
    public const int TimedOutExitCode = 124;

    private static readonly object Sync = new();
    private static bool _initialized;
    private static string? _broken;
    private static PosixSignalRegistration? _sigterm;
    private static Thread? _watchdog;
    private static volatile bool _stopping;

    /// <summary>Whether <see cref="Initialize"/> has run (and <see cref="Shutdown"/> not yet).</summary>
    public static bool IsInitialized => _initialized;

    /// <summary>Whether this process was started by Open MPI's <c>mpirun</c> (it sets <c>OMPI_COMM_WORLD_SIZE</c>).</summary>
    public static bool IsLaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>This process's rank in [0, <see cref="WorldSize"/>).</summary>
    /// <exception cref="InvalidOperationException">The process group is not initialized.</exception>
    public static int Rank
    {
        get
        {
            RequireInitialized();
            return _rank;
        }
    }

    /// <summary>The number of processes (ranks) of the job.</summary>
    /// <exception cref="InvalidOperationException">The process group is not initialized.</exception>
    public static int WorldSize
    {
        get
        {
            RequireInitialized();
            return _worldSize;
        }
    }

    /// <summary>The rank among the processes on this machine (<c>OMPI_COMM_WORLD_LOCAL_RANK</c>; 0 when not launched by mpirun), e.g. to pick a GPU.</summary>
    public static int LocalRank =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_RANK"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var local) ? local : 0;

    /// <summary>The timeout of collectives that are given none (null: wait as long as it takes). Set by <see cref="Initialize"/>.</summary>
    public static TimeSpan? DefaultTimeout { get; private set; }

    private static int _rank;
    private static int _worldSize = 1;

    /// <summary>
    /// Joins the job: initializes MPI (<c>MPI_Init_thread</c> asking for
    /// <c>MPI_THREAD_SERIALIZED</c>; this binding serializes its calls), makes MPI errors return to
    /// the caller, and installs the fault handling described in the remarks of
    /// <see cref="ProcessGroup"/>. Rank and world size come from the launcher; a process started
    /// without mpirun becomes a world of one rank (Open MPI's singleton mode).
    /// </summary>
    /// <param name="timeout">Default timeout of every collective (null, the default: none). A rank that waits longer stops with exit code <see cref="TimedOutExitCode"/>.</param>
    /// <exception cref="InvalidOperationException">Already initialized, or MPI was finalized before in this process (MPI cannot be initialized twice).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="DllNotFoundException">Open MPI is not installed.</exception>
    /// <exception cref="ExternalException">MPI failed to initialize.</exception>
    public static void Initialize(TimeSpan? timeout = null)
    {
        if (timeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The collective timeout must be positive, or null for none.");
        lock (Sync)
        {
            if (_initialized) throw new InvalidOperationException("The process group is already initialized (ProcessGroup.Initialize was called before).");
            if (!MpiNative.TryLoad(out var error)) throw new DllNotFoundException(error);
            if (MpiNative.IsFinalized())
                throw new InvalidOperationException("MPI was finalized in this process and cannot be initialized again: call ProcessGroup.Initialize once per process.");
            if (!MpiNative.IsInitialized()) MpiNative.InitThread(MpiNative.ThreadSerialized);
            MpiNative.SetErrorsReturn();
            _rank = MpiNative.CommRank();
            _worldSize = MpiNative.CommSize();
            DefaultTimeout = timeout;
            _broken = null;
            _initialized = true;
            InstallFaultHandling();
        }
    }

    /// <summary>
    /// Leaves the job (<c>MPI_Finalize</c>): every rank calls it once, after its last collective, before
    /// a normal exit (a rank that ends without it makes mpirun report the job as failed). Does nothing
    /// when the process group is not initialized.
    /// </summary>
    /// <exception cref="ExternalException">MPI failed to finalize.</exception>
    public static void Shutdown()
    {
        lock (Sync)
        {
            if (!_initialized) return;
            _stopping = true;
            _sigterm?.Dispose();
            _sigterm = null;
            _initialized = false;
            if (!MpiNative.IsFinalized()) MpiNative.FinalizeMpi();
        }
    }

    /// <summary>Reduces <paramref name="tensor"/> over all ranks in place: afterwards every rank holds the combination.</summary>
    /// <param name="tensor">The same shape and type on every rank: float32, float64, float16, bfloat16, int32 or int64, on any device.</param>
    /// <param name="op">How values combine (default <see cref="ReduceOp.Sum"/>; <see cref="ReduceOp.Average"/> needs floating point).</param>
    /// <param name="timeout">How long to wait (default <see cref="DefaultTimeout"/>).</param>
    /// <exception cref="ArgumentException">An unsupported type, or <see cref="ReduceOp.Average"/> on integers.</exception>
    /// <exception cref="InvalidOperationException">The process group is not initialized or a collective failed before.</exception>
    /// <exception cref="ExternalException">MPI reported an error.</exception>
    public static void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireUsable();
        var (datatype, wire) = ReduceType(tensor.dtype, nameof(tensor));
        if (op == ReduceOp.Average && !tensor.is_floating_point())
            throw new ArgumentException($"ReduceOp.Average needs a floating-point tensor, got {tensor.dtype}.", nameof(tensor));
        if (_worldSize == 1 || tensor.numel() == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var direct = tensor.device_type == DeviceType.CPU && tensor.dtype == wire && tensor.is_contiguous();
        var buffer = direct ? tensor : tensor.to(wire, CPU).contiguous();
        var mpiOp = MpiOp(op);
        var elementSize = buffer.element_size();
        for (long done = 0, total = buffer.numel(); done < total;)
        {
            var count = (int)Math.Min(int.MaxValue / elementSize, total - done);
            var address = DataPointer(buffer, done * elementSize, count * elementSize);
            Blocking("all-reduce", timeout, () => MpiNative.Allreduce(address, count, datatype, mpiOp));
            done += count;
        }
        GC.KeepAlive(buffer);
        if (op == ReduceOp.Average) buffer.div_(_worldSize);
        if (!direct) tensor.copy_(buffer);
    }

    // The MPI operation of a reduce op (Average is a sum, divided afterwards).
    private static IntPtr MpiOp(ReduceOp op) => op switch
    {
        ReduceOp.Sum or ReduceOp.Average => MpiNative.OpSum,
        ReduceOp.Max => MpiNative.OpMax,
        ReduceOp.Min => MpiNative.OpMin,
        ReduceOp.Product => MpiNative.OpProd,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Expected Sum, Average, Max, Min or Product."),
    };

    /// <summary>Reduces one number over all ranks and returns the combination (e.g. a metric).</summary>
    /// <param name="value">This rank's value.</param>
    /// <param name="op">How values combine (default <see cref="ReduceOp.Sum"/>).</param>
    /// <param name="timeout">How long to wait (default <see cref="DefaultTimeout"/>).</param>
    /// <exception cref="InvalidOperationException">The process group is not initialized or a collective failed before.</exception>
    /// <exception cref="ExternalException">MPI reported an error.</exception>
    public static unsafe double AllReduce(double value, ReduceOp op = ReduceOp.Sum, TimeSpan? timeout = null)
    {
        var values = new[] { value };
        AllReduce(values, op, timeout);
        return values[0];
    }

    /// <summary>Reduces <paramref name="values"/> element-wise over all ranks, in place (one collective for all of them).</summary>
    /// <param name="values">The same length on every rank.</param>
    /// <param name="op">How values combine (default <see cref="ReduceOp.Sum"/>).</param>
    /// <param name="timeout">How long to wait (default <see cref="DefaultTimeout"/>).</param>
    /// <exception cref="InvalidOperationException">The process group is not initialized or a collective failed before.</exception>
    /// <exception cref="ExternalException">MPI reported an error.</exception>
    public static unsafe void AllReduce(double[] values, ReduceOp op = ReduceOp.Sum, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        RequireUsable();
        if (_worldSize == 1 || values.Length == 0) return;
        var mpiOp = MpiOp(op);
        fixed (double* p = values)
        {
            var address = (IntPtr)p;
            Blocking("all-reduce", timeout, () => MpiNative.Allreduce(address, values.Length, MpiNative.Double, mpiOp));
        }
        if (op == ReduceOp.Average)
            for (var i = 0; i < values.Length; i++) values[i] /= _worldSize;
    }

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="tensor"/> into the same tensor on every other rank.</summary>
    /// <param name="tensor">The same shape and type on every rank (any type, any device).</param>
    /// <param name="root">The rank whose values win (default 0).</param>
    /// <param name="timeout">How long to wait (default <see cref="DefaultTimeout"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank.</exception>
    /// <exception cref="InvalidOperationException">The process group is not initialized or a collective failed before.</exception>
    /// <exception cref="ExternalException">MPI reported an error.</exception>
    public static void Broadcast(Tensor tensor, int root = 0, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireUsable();
        if (root < 0 || root >= _worldSize) throw new ArgumentOutOfRangeException(nameof(root), root, $"The root must be a rank in [0, {_worldSize}).");
        if (_worldSize == 1 || tensor.numel() == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var direct = tensor.device_type == DeviceType.CPU && tensor.is_contiguous();
        var buffer = direct ? tensor : tensor.cpu().contiguous();
        var bytes = buffer.numel() * buffer.element_size();
        for (long done = 0; done < bytes;)
        {
            var count = (int)Math.Min(int.MaxValue, bytes - done);
            var address = DataPointer(buffer, done, count);
            Blocking("broadcast", timeout, () => MpiNative.Bcast(address, count, MpiNative.Byte, root));
            done += count;
        }
        GC.KeepAlive(buffer);
        if (!direct) tensor.copy_(buffer);
    }

    /// <summary>Returns once every rank has called it.</summary>
    /// <param name="timeout">How long to wait (default <see cref="DefaultTimeout"/>).</param>
    /// <exception cref="InvalidOperationException">The process group is not initialized or a collective failed before.</exception>
    /// <exception cref="ExternalException">MPI reported an error.</exception>
    public static void Barrier(TimeSpan? timeout = null)
    {
        RequireUsable();
        if (_worldSize == 1) return;
        Blocking("barrier", timeout, MpiNative.Barrier);
    }

    // ---- internals shared with the gradient reducer ----

    /// <summary>The MPI datatype a tensor of <paramref name="dtype"/> is reduced as, and the dtype of its wire buffer.</summary>
    internal static (IntPtr Datatype, ScalarType Wire) ReduceType(ScalarType dtype, string parameter) => dtype switch
    {
        ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 => (MpiNative.Float, ScalarType.Float32),
        ScalarType.Float64 => (MpiNative.Double, ScalarType.Float64),
        ScalarType.Int32 => (MpiNative.Int32, ScalarType.Int32),
        ScalarType.Int64 => (MpiNative.Int64, ScalarType.Int64),
        _ => throw new ArgumentException($"Cannot reduce a {dtype} tensor; expected float32, float64, float16, bfloat16, int32 or int64.", parameter),
    };

    /// <summary>Sums a contiguous CPU tensor of a reducible type over all ranks, in place (chunked to MPI's 32-bit counts).</summary>
    internal static void AllReduceInPlace(Tensor buffer, TimeSpan? timeout, string what)
    {
        RequireUsable();
        if (_worldSize == 1) return;
        var (datatype, _) = ReduceType(buffer.dtype, nameof(buffer));
        var elementSize = buffer.element_size();
        for (long done = 0, total = buffer.numel(); done < total;)
        {
            var count = (int)Math.Min(int.MaxValue / elementSize, total - done);
            var address = DataPointer(buffer, done * elementSize, count * elementSize);
            Blocking(what, timeout, () => MpiNative.Allreduce(address, count, datatype, MpiNative.OpSum));
            done += count;
        }
        GC.KeepAlive(buffer);
    }

    /// <summary>Starts a sum all-reduce of a contiguous CPU tensor in place (at most int.MaxValue elements); complete it with <see cref="Complete"/>.</summary>
    internal static IntPtr StartSum(Tensor buffer)
    {
        RequireUsable();
        if (_worldSize == 1) return IntPtr.Zero;
        var (datatype, _) = ReduceType(buffer.dtype, nameof(buffer));
        var count = checked((int)buffer.numel());
        var address = DataPointer(buffer);
        return Call(() => MpiNative.Iallreduce(address, count, datatype, MpiNative.OpSum));
    }

    /// <summary>Lets MPI progress <paramref name="request"/>; true once it completed (a zero request is complete).</summary>
    internal static bool Poll(ref IntPtr request)
    {
        if (request == IntPtr.Zero) return true;
        var r = request;
        var done = Call(() =>
        {
            var done = MpiNative.Test(ref r);
            return done;
        });
        request = done ? IntPtr.Zero : r;
        return done;
    }

    /// <summary>Waits for <paramref name="request"/> by polling (MPI progresses non-blocking collectives inside its calls); a request that outlives the timeout stops the process, as a blocking collective does.</summary>
    internal static void Complete(ref IntPtr request, TimeSpan? timeout, string what)
    {
        var limit = Limit(timeout);
        var started = Environment.TickCount64;
        var spin = new SpinWait();
        while (!Poll(ref request))
        {
            if (limit is { } max && Environment.TickCount64 - started > max.TotalMilliseconds) TimedOut(what, max);
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Runs a blocking MPI collective; a watchdog stops the process if it outlives the timeout (a blocked MPI call cannot be interrupted).</summary>
    private static void Blocking(string what, TimeSpan? timeout, Action mpiCall)
    {
        var limit = Limit(timeout);
        Timer? watchdog = limit is { } max ? new Timer(_ => TimedOut(what, max), null, max, Timeout.InfiniteTimeSpan) : null;
        try
        {
            Call(() =>
            {
                mpiCall();
                return 0;
            });
        }
        finally
        {
            watchdog?.Dispose();
        }
    }

    private static TimeSpan? Limit(TimeSpan? timeout)
    {
        var limit = timeout ?? DefaultTimeout;
        if (limit is { } l && l <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive, or null for the default.");
        return limit;
    }

    private static void TimedOut(string what, TimeSpan limit) =>
        Stop(TimedOutExitCode, $"the {what} did not complete within {limit} (another rank is slow, stuck or gone)");

    /// <summary>The address of a contiguous CPU tensor's first element (TorchSharp's <c>bytes</c> span over the tensor's own memory, no copy).</summary>
    internal static IntPtr DataPointer(Tensor tensor) => DataPointer(tensor, 0, tensor.numel() * tensor.element_size());

    /// <summary>The address of <paramref name="length"/> bytes at <paramref name="offset"/> in a contiguous CPU tensor's memory (a byte view of that range, so any size works).</summary>
    internal static unsafe IntPtr DataPointer(Tensor tensor, long offset, long length)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException($"MPI needs a contiguous CPU tensor, got one on {tensor.device} (contiguous: {tensor.is_contiguous()}).", nameof(tensor));
        if (length == 0) return IntPtr.Zero;
        var elementSize = tensor.element_size();
        if (offset % elementSize != 0 || offset + length > tensor.numel() * elementSize)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Expected a whole-element range inside the tensor's {tensor.numel() * elementSize} bytes.");
        using var flat = tensor.reshape(-1).narrow(0, offset / elementSize, 1);
        return (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(flat.bytes));
    }

    internal static void RequireUsable()
    {
        RequireInitialized();
        if (_broken is { } why)
            throw new InvalidOperationException($"The process group is unusable after an earlier failure ({why}); end this process.");
    }

    private static T Call<T>(Func<T> mpiCall)
    {
        lock (Sync)
        {
            try
            {
                return mpiCall();
            }
            catch (ExternalException e)
            {
                _broken ??= e.Message;
                throw;
            }
        }
    }

    private static void RequireInitialized()
    {
        if (!_initialized)
            throw new InvalidOperationException("The process group is not initialized: call ProcessGroup.Initialize() first (and launch the ranks with mpirun, see docs/distributed.md).");
    }

    private static void InstallFaultHandling()
    {
        _stopping = false;
        if (OperatingSystem.IsWindows()) return;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Stop(TerminatedExitCode, "received SIGTERM (another rank failed, or the job was stopped)");
        });
        if (!IsLaunchedByMpirun || _watchdog is not null) return;
        var launcher = LibC.GetParentProcessId();
        _watchdog = new Thread(() =>
        {
            while (!_stopping)
            {
                Thread.Sleep(500);
                if (!_stopping && LibC.GetParentProcessId() != launcher)
                    Stop(LauncherLostExitCode, $"its launcher (mpirun, process {launcher}) is gone");
            }
            _watchdog = null;
        })
        { IsBackground = true, Name = "Efficient.Training launcher watchdog" };
        _watchdog.Start();
    }

    private static void Stop(int exitCode, string why)
    {
        try
        {
            Console.Error.WriteLine($"Efficient.Training: rank {_rank} of {_worldSize} stops: {why}.");
            Console.Error.Flush();
        }
        catch (IOException)
        {
            // Standard error is gone with the launcher: exit anyway.
        }
        LibC.Exit(exitCode);
    }
}
