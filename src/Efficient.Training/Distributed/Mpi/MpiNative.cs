using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Efficient.Training;

/// <summary>
/// A thin binding of Open MPI's C API (<c>libmpi.so.40</c>), the engine of data-parallel training
/// (<see cref="ProcessGroup"/>). TorchSharp 0.107 has no <c>torch.distributed</c>; NuGet's MPI.NET
/// targets Windows' MS-MPI only. This file is native interop of our own because nothing in
/// TorchSharp's public API can exchange tensors between processes: the collectives work in place
/// on the memory of contiguous CPU tensors.
/// </summary>
/// <remarks>
/// Open MPI's handles (<c>MPI_Comm</c>, <c>MPI_Datatype</c>, <c>MPI_Op</c>, <c>MPI_Errhandler</c>)
/// are pointers to predefined global objects, so each handle is the address of an exported symbol
/// (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_float</c>, <c>ompi_mpi_op_sum</c>, ...).
/// <c>MPI_IN_PLACE</c> is <c>(void*)1</c>, <c>MPI_STATUS_IGNORE</c> is null. The functions are called
/// through unmanaged function pointers taken from the library with <see cref="NativeLibrary"/>.
/// </remarks>
internal static unsafe class MpiNative
{
    public const int Success = 0;
    public const int ThreadSerialized = 2;
    private const int MaxErrorString = 256;
    public static readonly IntPtr InPlace = (IntPtr)1;

    private static readonly object Gate = new();
    private static IntPtr _library;
    private static string? _loadError;

    // int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
    private static delegate* unmanaged<IntPtr, IntPtr, int, int*, int> _initThread;
    private static delegate* unmanaged<int*, int> _initialized;
    private static delegate* unmanaged<int*, int> _finalized;
    private static delegate* unmanaged<int> _finalize;
    private static delegate* unmanaged<IntPtr, int, int> _abort;
    private static delegate* unmanaged<IntPtr, int*, int> _commRank;
    private static delegate* unmanaged<IntPtr, int*, int> _commSize;
    private static delegate* unmanaged<IntPtr, IntPtr, int> _commSetErrhandler;
    private static delegate* unmanaged<int, byte*, int*, int> _errorString;
    // int MPI_Ibcast(void *buffer, int count, MPI_Datatype, int root, MPI_Comm, MPI_Request *)
    private static delegate* unmanaged<IntPtr, int> _barrier;
    // int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype, MPI_Op, MPI_Comm)
    private static delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int> _allreduce;
    // int MPI_Bcast(void *buffer, int count, MPI_Datatype, int root, MPI_Comm)
    private static delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int> _bcast;
    // int MPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request *)
    private static delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, IntPtr*, int> _iallreduce;
    // int MPI_Test(MPI_Request *, int *flag, MPI_Status *)
    private static delegate* unmanaged<IntPtr*, int*, IntPtr, int> _test;

    public static IntPtr CommWorld { get; private set; }
    public static IntPtr Float { get; private set; }
    public static IntPtr Double { get; private set; }
    public static IntPtr Int32 { get; private set; }
    public static IntPtr Int64 { get; private set; }
    public static IntPtr Byte { get; private set; }
    public static IntPtr OpSum { get; private set; }
    public static IntPtr OpMax { get; private set; }
    public static IntPtr OpMin { get; private set; }
    public static IntPtr OpProd { get; private set; }
    public static IntPtr ErrorsReturn { get; private set; }

    /// <summary>Whether libmpi could be loaded (its error otherwise in <paramref name="error"/>).</summary>
    public static bool TryLoad(out string? error)
    {
        lock (Gate)
        {
            if (_library == IntPtr.Zero && _loadError is null) Load();
            error = _loadError;
            return _library != IntPtr.Zero;
        }
    }

    private static void Load()
    {
        var names = OperatingSystem.IsMacOS() ? new[] { "libmpi.40.dylib", "libmpi.dylib" } : new[] { "libmpi.so.40", "libmpi.so" };
        IntPtr handle = IntPtr.Zero;
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out handle)) break;
        if (handle == IntPtr.Zero)
        {
            _loadError = $"Open MPI's library ({string.Join(" or ", names)}) could not be loaded: install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) on every machine of the job.";
            return;
        }
        try
        {
            _initThread = (delegate* unmanaged<IntPtr, IntPtr, int, int*, int>)Export(handle, "MPI_Init_thread");
            _initialized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Initialized");
            _finalized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Finalized");
            _finalize = (delegate* unmanaged<int>)Export(handle, "MPI_Finalize");
            _abort = (delegate* unmanaged<IntPtr, int, int>)Export(handle, "MPI_Abort");
            _commRank = (delegate* unmanaged<IntPtr, int*, int>)Export(handle, "MPI_Comm_rank");
            _commSize = (delegate* unmanaged<IntPtr, int*, int>)Export(handle, "MPI_Comm_size");
            _commSetErrhandler = (delegate* unmanaged<IntPtr, IntPtr, int>)Export(handle, "MPI_Comm_set_errhandler");
            _errorString = (delegate* unmanaged<int, byte*, int*, int>)Export(handle, "MPI_Error_string");
            _barrier = (delegate* unmanaged<IntPtr, int>)Export(handle, "MPI_Barrier");
            _allreduce = (delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int>)Export(handle, "MPI_Allreduce");
            _bcast = (delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int>)Export(handle, "MPI_Bcast");
            _iallreduce = (delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, IntPtr*, int>)Export(handle, "MPI_Iallreduce");
            _test = (delegate* unmanaged<IntPtr*, int*, IntPtr, int>)Export(handle, "MPI_Test");
            CommWorld = Export(handle, "ompi_mpi_comm_world");
            Float = Export(handle, "ompi_mpi_float");
            Double = Export(handle, "ompi_mpi_double");
            Int32 = Export(handle, "ompi_mpi_int32_t");
            Int64 = Export(handle, "ompi_mpi_int64_t");
            Byte = Export(handle, "ompi_mpi_byte");
            OpSum = Export(handle, "ompi_mpi_op_sum");
            OpMax = Export(handle, "ompi_mpi_op_max");
            OpMin = Export(handle, "ompi_mpi_op_min");
            OpProd = Export(handle, "ompi_mpi_op_prod");
            ErrorsReturn = Export(handle, "ompi_mpi_errors_return");
            _library = handle;
        }
        catch (EntryPointNotFoundException e)
        {
            _loadError = $"The MPI library found is not Open MPI 4 or later ({e.Message}); Efficient.Training's data-parallel engine binds Open MPI's C API.";
        }
    }

    private static IntPtr Export(IntPtr library, string name) => NativeLibrary.GetExport(library, name);

    public static bool IsInitialized()
    {
        if (_library == IntPtr.Zero) return false;
        int flag;
        _initialized(&flag);
        return flag != 0;
    }

    public static bool IsFinalized()
    {
        if (_library == IntPtr.Zero) return false;
        int flag;
        _finalized(&flag);
        return flag != 0;
    }

    public static int InitThread(int required)
    {
        int provided;
        Check(_initThread(IntPtr.Zero, IntPtr.Zero, required, &provided), "MPI_Init_thread");
        return provided;
    }

    public static void FinalizeMpi() => Check(_finalize(), "MPI_Finalize");

    public static void Abort(int code) => _abort(CommWorld, code);

    public static int CommRank()
    {
        int rank;
        Check(_commRank(CommWorld, &rank), "MPI_Comm_rank");
        return rank;
    }

    public static int CommSize()
    {
        int size;
        Check(_commSize(CommWorld, &size), "MPI_Comm_size");
        return size;
    }

    public static void SetErrorsReturn() => Check(_commSetErrhandler(CommWorld, ErrorsReturn), "MPI_Comm_set_errhandler");

    public static void Barrier() => Check(_barrier(CommWorld), "MPI_Barrier");

    public static void Allreduce(IntPtr buffer, int count, IntPtr datatype, IntPtr op) => Check(_allreduce(InPlace, buffer, count, datatype, op, CommWorld), "MPI_Allreduce");

    public static void Bcast(IntPtr buffer, int count, IntPtr datatype, int root) => Check(_bcast(buffer, count, datatype, root, CommWorld), "MPI_Bcast");

    /// <summary>Starts an in-place all-reduce; returns the request to <see cref="Test"/>.</summary>
    public static IntPtr Iallreduce(IntPtr buffer, int count, IntPtr datatype, IntPtr op)
    {
        IntPtr request;
        Check(_iallreduce(InPlace, buffer, count, datatype, op, CommWorld, &request), "MPI_Iallreduce");
        return request;
    }

    /// <summary>Whether the request completed (MPI then frees it and resets <paramref name="request"/>); Open MPI's MPI_STATUS_IGNORE is null.</summary>
    public static bool Test(ref IntPtr request)
    {
        int flag;
        fixed (IntPtr* r = &request) Check(_test(r, &flag, IntPtr.Zero), "MPI_Test");
        return flag != 0;
    }

    public static void Check(int code, string function)
    {
        if (code != Success) throw new ExternalException($"{function} failed with MPI error {code}: {ErrorString(code)}", code);
    }

    private static string ErrorString(int code)
    {
        // Open MPI aborts the process when MPI_Error_string is called outside MPI_Init ... MPI_Finalize.
        if (!IsInitialized() || IsFinalized()) return "(MPI is not initialized, no description)";
        var buffer = stackalloc byte[MaxErrorString + 1];
        int length = 0;
        if (_errorString(code, buffer, &length) != Success || length <= 0) return "(no description)";
        return Encoding.ASCII.GetString(buffer, Math.Min(length, MaxErrorString));
    }
}

/// <summary>Process-level calls of libc that the fault handling needs (Linux and macOS).</summary>
internal static partial class LibC
{
    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int GetParentProcessId();

    /// <summary>Ends the process at once with <paramref name="code"/>, without running atexit handlers or finalizers (which could wait on a thread blocked in MPI).</summary>
    [LibraryImport("libc", EntryPoint = "_exit")]
    public static partial void Exit(int code);
}
