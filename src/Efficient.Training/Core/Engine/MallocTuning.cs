using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Efficient.Training;

/// <summary>What <see cref="MallocTuning.Apply"/> did (or why it did nothing).</summary>
public enum MallocTuningOutcome
{
    /// <summary><see cref="MallocTuning.Apply"/> has not run yet.</summary>
    NotAttempted,

    /// <summary>The thresholds were set with glibc's <c>mallopt</c>.</summary>
    Applied,

    /// <summary>Nothing was changed: <see cref="MallocTuning.OptOutVariable"/> is <c>0</c>, <c>false</c>, <c>off</c> or <c>no</c>.</summary>
    DisabledByEnvironment,

    /// <summary>Nothing was changed: the process already sets glibc's malloc thresholds itself
    /// (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, or a <c>glibc.malloc.*_threshold</c>
    /// tunable in <c>GLIBC_TUNABLES</c>), and those settings win.</summary>
    UserSettingsKept,

    /// <summary>Nothing was changed: the process does not run on Linux with glibc (Windows, macOS, musl).</summary>
    NotSupported,

    /// <summary>glibc's <c>mallopt</c> refused a setting (it returned 0).</summary>
    Failed,
}

/// <summary>
/// Tunes glibc's allocator for training loops on Linux. LibTorch allocates CPU activations and
/// gradients with <c>malloc</c>. By default glibc serves every block above its mmap threshold
/// (128 KiB at start, raised only as mmapped blocks are freed) with a fresh <c>mmap</c> and gives it
/// back with <c>munmap</c>, and it trims free memory at the top of the heap back to the system once
/// it exceeds the trim threshold. A training step allocates and frees the same multi-megabyte
/// tensors every step, so each step page-faults (and the kernel zeroes) hundreds of megabytes anew.
/// Measured on the residual-CNN step of <c>bench/run-train-step.sh</c> (docs/benchmarks.md): about
/// 69,000 minor page faults per step without the tuning, about 50 with it.
/// </summary>
/// <remarks>
/// <para>When the library's assembly is first used, it calls <see cref="Apply"/>, which on Linux
/// with glibc sets, process-wide, <c>M_MMAP_THRESHOLD</c> to <see cref="MmapThresholdBytes"/>
/// (32 MiB, the largest value glibc accepts on 64-bit systems) and <c>M_TRIM_THRESHOLD</c> to
/// <see cref="TrimThresholdBytes"/> (512 MiB): blocks up to 32 MiB are reused from the heap, and up to
/// 512 MiB of free memory stays at the top of the heap for the next step instead of going back to
/// the system. (With a 128 MiB trim threshold the residual-CNN step still took about 3,000 faults
/// per step, as PyTorch does with glibc's defaults: the memory freed at the end of a step exceeds
/// it.) The cost: memory freed by a step stays with the process (its resident size does not shrink
/// between steps, by up to 512 MiB); the peak is unchanged. Call glibc's <c>malloc_trim(0)</c> to
/// give it back after training.</para>
/// <para>Opt out by setting the environment variable <see cref="OptOutVariable"/>
/// (<c>EFFICIENT_TRAINING_MALLOC_TUNING</c>) to <c>0</c> (or <c>false</c>, <c>off</c>, <c>no</c>)
/// before the process starts. Settings of your own win: if <c>MALLOC_MMAP_THRESHOLD_</c>,
/// <c>MALLOC_TRIM_THRESHOLD_</c> or a <c>glibc.malloc.mmap_threshold</c>/<c>glibc.malloc.trim_threshold</c>
/// tunable in <c>GLIBC_TUNABLES</c> is set, nothing is changed. On other systems (Windows, macOS,
/// musl) nothing is changed.</para>
/// <para>This changes no numerical result, only where memory comes from. <see cref="Outcome"/> says
/// what happened.</para>
/// </remarks>
public static class MallocTuning
{
    /// <summary>The environment variable that turns the tuning off when it is <c>0</c>, <c>false</c>, <c>off</c> or <c>no</c>.</summary>
    public const string OptOutVariable = "EFFICIENT_TRAINING_MALLOC_TUNING";

    /// <summary>The <c>M_MMAP_THRESHOLD</c> set: 32 MiB (glibc's own ceiling for its dynamic threshold on 64-bit systems).</summary>
    public const int MmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>The <c>M_TRIM_THRESHOLD</c> set: 512 MiB.</summary>
    public const int TrimThresholdBytes = 512 * 1024 * 1024;

    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;
    private static readonly object Gate = new();
    private static MallocTuningOutcome _outcome = MallocTuningOutcome.NotAttempted;

    /// <summary>What the tuning did in this process (it runs once, when the library is first used).</summary>
    public static MallocTuningOutcome Outcome
    {
        get
        {
            lock (Gate) return _outcome;
        }
    }

    /// <summary>
    /// Applies the tuning if it has not run yet in this process and returns what it did. The library
    /// calls it when it loads; calling it again returns the first outcome and changes nothing.
    /// </summary>
    public static MallocTuningOutcome Apply()
    {
        lock (Gate)
        {
            if (_outcome != MallocTuningOutcome.NotAttempted) return _outcome;
            var decision = Decide(Environment.GetEnvironmentVariable, OperatingSystem.IsLinux());
            _outcome = decision == MallocTuningOutcome.Applied ? SetThresholds() : decision;
            return _outcome;
        }
    }

    /// <summary>The decision before any native call: <see cref="MallocTuningOutcome.Applied"/> means "go ahead".</summary>
    internal static MallocTuningOutcome Decide(Func<string, string?> environment, bool isLinux)
    {
        if (!isLinux) return MallocTuningOutcome.NotSupported;
        var optOut = environment(OptOutVariable)?.Trim();
        if (optOut is not null && (optOut == "0" || optOut.Equals("false", StringComparison.OrdinalIgnoreCase)
            || optOut.Equals("off", StringComparison.OrdinalIgnoreCase) || optOut.Equals("no", StringComparison.OrdinalIgnoreCase)))
            return MallocTuningOutcome.DisabledByEnvironment;
        if (!string.IsNullOrEmpty(environment("MALLOC_MMAP_THRESHOLD_")) || !string.IsNullOrEmpty(environment("MALLOC_TRIM_THRESHOLD_")))
            return MallocTuningOutcome.UserSettingsKept;
        var tunables = environment("GLIBC_TUNABLES");
        if (tunables is not null && (tunables.Contains("glibc.malloc.mmap_threshold", StringComparison.Ordinal) || tunables.Contains("glibc.malloc.trim_threshold", StringComparison.Ordinal)))
            return MallocTuningOutcome.UserSettingsKept;
        return MallocTuningOutcome.Applied;
    }

    private static MallocTuningOutcome SetThresholds()
    {
        try
        {
            _ = Native.gnu_get_libc_version(); // only glibc exports it: musl ends here
            var mmap = Native.mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes);
            var trim = Native.mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes);
            return mmap == 1 && trim == 1 ? MallocTuningOutcome.Applied : MallocTuningOutcome.Failed;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return MallocTuningOutcome.NotSupported;
        }
    }

    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The allocator has to be tuned before the first training step whichever part of the library is used first; it is cheap, process-wide by nature, and has a documented opt-out.")]
    [ModuleInitializer]
    internal static void OnLibraryLoad() => Apply();

    internal static class Native
    {
        [DllImport("libc.so.6", ExactSpelling = true)]
        internal static extern int mallopt(int param, int value);

        [DllImport("libc.so.6", ExactSpelling = true)]
        internal static extern IntPtr gnu_get_libc_version();

        /// <summary>glibc's <c>struct mallinfo2</c> (glibc 2.33+): all fields are <c>size_t</c>.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct MallInfo2
        {
            public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
        }

        [DllImport("libc.so.6", ExactSpelling = true)]
        internal static extern MallInfo2 mallinfo2();
    }
}
