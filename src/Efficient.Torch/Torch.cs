using System;
using System.Runtime.InteropServices;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

/// <summary>
/// The root of the binding, mirroring TorchSharp's <c>torch</c> static class: tensor factories,
/// dtypes and devices, random seeds, grad modes, dispose scopes, and the nested
/// <c>nn</c>, <c>optim</c> and <c>utils</c> namespaces-as-classes.
/// </summary>
public static partial class torch
{
    /// <summary>Element types, numbered as libtorch's <c>c10::ScalarType</c>.</summary>
    public enum ScalarType : sbyte
    {
        /// <summary>8-bit unsigned integer.</summary>
        Byte = 0,
        /// <summary>8-bit signed integer.</summary>
        Int8 = 1,
        /// <summary>16-bit signed integer.</summary>
        Int16 = 2,
        /// <summary>32-bit signed integer.</summary>
        Int32 = 3,
        /// <summary>64-bit signed integer.</summary>
        Int64 = 4,
        /// <summary>IEEE half precision.</summary>
        Float16 = 5,
        /// <summary>IEEE single precision.</summary>
        Float32 = 6,
        /// <summary>IEEE double precision.</summary>
        Float64 = 7,
        /// <summary>Complex of two float32.</summary>
        ComplexFloat32 = 9,
        /// <summary>Complex of two float64.</summary>
        ComplexFloat64 = 10,
        /// <summary>Boolean.</summary>
        Bool = 11,
        /// <summary>Quantized 8-bit signed.</summary>
        QInt8 = 12,
        /// <summary>Quantized 8-bit unsigned.</summary>
        QUInt8 = 13,
        /// <summary>Quantized 32-bit signed.</summary>
        QInt32 = 14,
        /// <summary>Brain floating point (8-bit exponent, 7-bit mantissa).</summary>
        BFloat16 = 15,
    }

#pragma warning disable CA2211 // TorchSharp exposes these as mutable static fields; kept for source compatibility.
    /// <summary>Boolean dtype.</summary>
    public static ScalarType @bool = ScalarType.Bool;
    /// <summary>8-bit unsigned dtype.</summary>
    public static ScalarType uint8 = ScalarType.Byte;
    /// <summary>8-bit signed dtype.</summary>
    public static ScalarType int8 = ScalarType.Int8;
    /// <summary>16-bit signed dtype.</summary>
    public static ScalarType int16 = ScalarType.Int16;
    /// <summary>32-bit signed dtype.</summary>
    public static ScalarType int32 = ScalarType.Int32;
    /// <summary>64-bit signed dtype.</summary>
    public static ScalarType int64 = ScalarType.Int64;
    /// <summary>bfloat16 dtype.</summary>
    public static ScalarType bfloat16 = ScalarType.BFloat16;
    /// <summary>Half-precision dtype.</summary>
    public static ScalarType float16 = ScalarType.Float16;
    /// <summary>Single-precision dtype.</summary>
    public static ScalarType float32 = ScalarType.Float32;
    /// <summary>Double-precision dtype.</summary>
    public static ScalarType float64 = ScalarType.Float64;
    /// <summary>Alias of <see cref="int16"/>.</summary>
    public static ScalarType @short = ScalarType.Int16;
    /// <summary>Alias of <see cref="int32"/>.</summary>
    public static ScalarType @int = ScalarType.Int32;
    /// <summary>Alias of <see cref="int64"/>.</summary>
    public static ScalarType @long = ScalarType.Int64;
    /// <summary>Alias of <see cref="float16"/>.</summary>
    public static ScalarType half = ScalarType.Float16;
    /// <summary>Alias of <see cref="float32"/>.</summary>
    public static ScalarType @float = ScalarType.Float32;
    /// <summary>Alias of <see cref="float64"/>.</summary>
    public static ScalarType @double = ScalarType.Float64;
#pragma warning restore CA2211

    /// <summary>Memory layouts understood by <c>contiguous</c> and <c>is_contiguous</c>.</summary>
    public enum MemoryFormat
    {
        /// <summary>Row-major (NCHW for images).</summary>
        Contiguous = 0,
        /// <summary>Keep the input's layout.</summary>
        Preserve = 1,
        /// <summary>Channels-last (NHWC) for 4-D tensors.</summary>
        ChannelsLast = 2,
        /// <summary>Channels-last (NDHWC) for 5-D tensors.</summary>
        ChannelsLast3d = 3,
    }

    /// <summary>How <c>div</c> rounds its result.</summary>
    public enum RoundingMode
    {
        /// <summary>True division.</summary>
        None,
        /// <summary>Round towards zero.</summary>
        trunc,
        /// <summary>Round towards negative infinity.</summary>
        floor,
    }

    /// <summary>The version of the libtorch the shim was built against.</summary>
    public static string __version__ => Marshal.PtrToStringUTF8(Native.ets_version()) ?? "unknown";

    /// <summary>Seeds the default generator and returns it.</summary>
    public static Generator manual_seed(long seed)
    {
        Native.ets_manual_seed(seed);
        return Generator.Default;
    }

    /// <summary>The seed the default generator was last seeded with.</summary>
    public static long initial_seed() => Native.ets_initial_seed();

    /// <summary>Re-seeds the default generator non-deterministically and returns the seed.</summary>
    public static long seed() => Generator.Default.seed();

    /// <summary>A copy of the default generator's state.</summary>
    public static Tensor get_rng_state() => Generator.Default.get_state();

    /// <summary>Restores the default generator's state.</summary>
    public static void set_rng_state(Tensor new_state) => Generator.Default.set_state(new_state);

    /// <summary>Sets the number of threads libtorch uses for intra-op parallelism.</summary>
    public static void set_num_threads(int num)
    {
        if (num < 1) throw new ArgumentOutOfRangeException(nameof(num), num, "The number of threads must be at least 1.");
        Native.ets_set_num_threads(num);
    }

    /// <summary>The number of threads libtorch uses for intra-op parallelism.</summary>
    public static int get_num_threads() => Native.ets_get_num_threads();

    /// <summary>Sets the number of threads used for inter-op parallelism (only before the first parallel op).</summary>
    public static void set_num_interop_threads(int num)
    {
        if (num < 1) throw new ArgumentOutOfRangeException(nameof(num), num, "The number of threads must be at least 1.");
        Native.ets_set_num_interop_threads(num);
    }

    /// <summary>Makes libtorch pick deterministic algorithms where it has them.</summary>
    public static void use_deterministic_algorithms(bool mode = true) => Native.ets_set_deterministic(mode ? 1 : 0);

    /// <summary>Whether a CUDA device is usable by this libtorch.</summary>
    public static bool cuda_is_available() => Native.ets_cuda_is_available() != 0;

    /// <summary>Always false: this binding has no MPS backend.</summary>
    public static bool mps_is_available() => false;

    /// <summary>Whether the object is a tensor.</summary>
    public static bool is_tensor(object obj) => obj is Tensor;

    /// <summary>Number of elements of a tensor.</summary>
    public static long numel(Tensor input) => input.numel();

    private static ScalarType s_defaultDtype = ScalarType.Float32;
    private static Device s_defaultDevice = new(DeviceType.CPU);

    /// <summary>Sets the dtype used by floating-point factories when none is given.</summary>
    public static void set_default_dtype(ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"The default dtype must be a floating-point type, not {dtype}.", nameof(dtype));
        s_defaultDtype = dtype;
    }

    /// <summary>The dtype used by floating-point factories when none is given.</summary>
    public static ScalarType get_default_dtype() => s_defaultDtype;

    /// <summary>The device used by factories when none is given.</summary>
    public static Device get_default_device() => s_defaultDevice;

    /// <summary>Sets the device used by factories when none is given.</summary>
    public static void set_default_device(Device device) => s_defaultDevice = device ?? throw new ArgumentNullException(nameof(device));

    /// <summary>Sets the device used by factories when none is given.</summary>
    public static void set_default_device(string device) => set_default_device(new Device(device));

    // ---- grad modes -----------------------------------------------------------------------

    /// <summary>Disables gradient recording until the returned object is disposed.</summary>
    public static IDisposable no_grad() => new GradModeGuard(false);

    /// <summary>Enables (or disables) gradient recording until the returned object is disposed.</summary>
    public static IDisposable enable_grad(bool enabled = true) => new GradModeGuard(enabled);

    /// <summary>Sets gradient recording until the returned object is disposed.</summary>
    public static IDisposable set_grad_enabled(bool mode = true) => new GradModeGuard(mode);

    /// <summary>Whether gradients are being recorded on this thread.</summary>
    public static bool is_grad_enabled() => Native.ets_grad_enabled() != 0;

    /// <summary>Enters inference mode (no autograd bookkeeping at all) until the returned object is disposed.</summary>
    public static IDisposable inference_mode(bool mode = true) => new InferenceModeGuard(mode);

    /// <summary>Whether inference mode is on for this thread.</summary>
    public static bool is_inference_mode_enabled() => Native.ets_inference_mode_enabled() != 0;

    private sealed class GradModeGuard : IDisposable
    {
        private readonly bool _previous;
        private bool _disposed;

        public GradModeGuard(bool enabled)
        {
            _previous = Native.ets_grad_enabled() != 0;
            Native.ets_set_grad_enabled(enabled ? 1 : 0);
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Native.ets_set_grad_enabled(_previous ? 1 : 0);
        }
    }

    private sealed class InferenceModeGuard : IDisposable
    {
        private IntPtr _guard;

        public InferenceModeGuard(bool enabled)
        {
            _guard = Native.ets_inference_mode_enter(enabled ? 1 : 0);
            if (_guard == IntPtr.Zero) Native.ThrowLastError();
        }

        public void Dispose()
        {
            if (_guard == IntPtr.Zero) return;
            Native.ets_inference_mode_exit(_guard);
            _guard = IntPtr.Zero;
        }
    }

    // ---- dispose scopes -------------------------------------------------------------------

    /// <summary>
    /// Opens a dispose scope: every tensor created on this thread until it is disposed is
    /// disposed with it, unless moved out (<see cref="Tensor.MoveToOuterDisposeScope"/>) or detached.
    /// </summary>
    public static DisposeScope NewDisposeScope() => DisposeScopeManager.ThreadSingleton.NewDisposeScope();

    /// <summary>The innermost open dispose scope of this thread, if any.</summary>
    public static DisposeScope? CurrentDisposeScope => DisposeScopeManager.ThreadSingleton.CurrentDisposeScope;

    /// <summary>Evaluates <paramref name="expr"/> in a fresh scope and moves its result to the enclosing one.</summary>
    public static Tensor WrappedTensorDisposeScope(Func<Tensor> expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        using var scope = NewDisposeScope();
        var result = expr();
        return scope.MoveToOuter(result);
    }

    /// <summary>CUDA queries with TorchSharp's names.</summary>
    public static partial class cuda
    {
        /// <summary>Whether a CUDA device is usable.</summary>
        public static bool is_available() => cuda_is_available();

        /// <summary>The number of CUDA devices.</summary>
        public static int device_count() => Native.ets_cuda_device_count();
    }

    /// <summary>Random-state helpers with TorchSharp's names.</summary>
    public static partial class random
    {
        /// <summary>Seeds the default generator.</summary>
        public static Generator manual_seed(long seed) => torch.manual_seed(seed);

        /// <summary>The seed of the default generator.</summary>
        public static long initial_seed() => torch.initial_seed();

        /// <summary>A copy of the default generator's state.</summary>
        public static Tensor get_rng_state() => torch.get_rng_state();

        /// <summary>Restores the default generator's state.</summary>
        public static void set_rng_state(Tensor new_state) => torch.set_rng_state(new_state);
    }
}
