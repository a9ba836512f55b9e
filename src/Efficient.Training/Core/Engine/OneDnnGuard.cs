using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Efficient.Training;

/// <summary>
/// Keeps libtorch's oneDNN convolutions correct on AVX-512 CPUs. With TorchSharp-cpu 0.107
/// (libtorch 2.10), oneDNN's AVX-512 float32 convolution kernels were measured returning wrong
/// values (errors of 15 on outputs of about 60, against a float64 reference and PyTorch 1.13) when
/// the channel count is not a multiple of 16 (e.g. 24 or 40; 3, 8, 16, 64 were right); the same
/// convolutions limited to oneDNN's AVX2 kernels are right and about as fast. When this assembly is
/// loaded, on Linux on a CPU with AVX-512, the library therefore sets <c>ONEDNN_MAX_CPU_ISA=AVX2</c>
/// in the process environment (oneDNN reads it once, at its first convolution), unless the variable
/// (or <c>DNNL_MAX_CPU_ISA</c>) is already set or <c>EFFICIENT_TRAINING_ONEDNN_ISA=native</c> opts out.
/// </summary>
/// <remarks>
/// The setting only takes effect if it precedes the process's first oneDNN convolution: a program
/// that runs convolutions before it touches any Efficient.Training type should call
/// <see cref="EnsureApplied"/> first (or set the variable itself).
/// </remarks>
public static class OneDnnGuard
{
    /// <summary>The environment variable that opts out (value <c>native</c>).</summary>
    public const string OptOutVariable = "EFFICIENT_TRAINING_ONEDNN_ISA";

    /// <summary>Whether this process limited oneDNN to AVX2 (false when not needed, opted out, or set by the user).</summary>
    public static bool Applied { get; private set; }

    // A library module initializer on purpose: the limit must be in place before the first convolution.
#pragma warning disable CA2255
    [ModuleInitializer]
    internal static void Initialize() => EnsureApplied();
#pragma warning restore CA2255

    /// <summary>Applies the limit if it is needed and allowed (idempotent; called when the assembly loads).</summary>
    /// <returns>Whether the limit is in place.</returns>
    public static bool EnsureApplied()
    {
        if (Applied) return true;
        if (!OperatingSystem.IsLinux() || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported) return false;
        if (string.Equals(Environment.GetEnvironmentVariable(OptOutVariable), "native", StringComparison.OrdinalIgnoreCase)) return false;
        if (Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is not null || Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is not null) return false;
        try
        {
            // .NET's Environment.SetEnvironmentVariable does not reach the native environment on Unix.
            if (setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 0) != 0) return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
        Environment.SetEnvironmentVariable("ONEDNN_MAX_CPU_ISA", "AVX2");
        Applied = true;
        return true;
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int setenv(string name, string value, int overwrite);
}
