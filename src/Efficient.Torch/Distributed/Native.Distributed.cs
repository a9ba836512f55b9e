using System;
using System.Runtime.InteropServices;

namespace Efficient.Torch.Interop;

internal static unsafe partial class Native
{
    // ---- torch.distributed (native/distributed.cpp)
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ets_dist_backend_available(string backend);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ets_dist_init(string backend, string masterAddr, int masterPort, int rank, int worldSize, long timeoutMs);
    [LibraryImport(Lib)] internal static partial int ets_dist_is_initialized();
    [LibraryImport(Lib)] internal static partial int ets_dist_rank();
    [LibraryImport(Lib)] internal static partial int ets_dist_world_size();
    [LibraryImport(Lib)] internal static partial int ets_dist_destroy();
    [LibraryImport(Lib)] internal static partial IntPtr ets_dist_all_reduce(IntPtr* tensors, int count, int op, long timeoutMs);
    [LibraryImport(Lib)] internal static partial IntPtr ets_dist_broadcast(IntPtr tensor, int src, long timeoutMs);
    [LibraryImport(Lib)] internal static partial IntPtr ets_dist_all_gather(IntPtr* outputs, int count, IntPtr input, long timeoutMs);
    [LibraryImport(Lib)] internal static partial IntPtr ets_dist_barrier(long timeoutMs);
    [LibraryImport(Lib)] internal static partial int ets_dist_work_wait(IntPtr work, long timeoutMs);
    [LibraryImport(Lib)] internal static partial int ets_dist_work_is_completed(IntPtr work);
    [LibraryImport(Lib)] internal static partial void ets_dist_work_free(IntPtr work);
    [LibraryImport(Lib)] internal static partial IntPtr ets_dist_reducer_new(IntPtr* parameters, int count, long bucketCapBytes, long timeoutMs);
    [LibraryImport(Lib)] internal static partial int ets_dist_reducer_set_sync(IntPtr reducer, int enabled);
    [LibraryImport(Lib)] internal static partial int ets_dist_reducer_finish(IntPtr reducer);
    [LibraryImport(Lib)] internal static partial int ets_dist_reducer_buckets(IntPtr reducer, int* sizes, int* members);
    [LibraryImport(Lib)] internal static partial void ets_dist_reducer_free(IntPtr reducer);

    /// <summary>Throws the pending native error when <paramref name="handle"/> is null.</summary>
    internal static IntPtr CheckPointer(IntPtr handle)
    {
        if (handle == IntPtr.Zero) ThrowLastError();
        return handle;
    }
}
