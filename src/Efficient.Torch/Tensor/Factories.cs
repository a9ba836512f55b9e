using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    internal unsafe delegate TensorHandle ShapeFactoryFn(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    internal unsafe delegate TensorHandle RandomFactoryFn(long* shape, int ndim, IntPtr generator, int dtype, int deviceType, int deviceIndex, int requiresGrad);

    private static void CheckShape(ReadOnlySpan<long> size)
    {
        for (var i = 0; i < size.Length; i++)
            if (size[i] < 0) throw new ArgumentException($"Size {size[i]} at dimension {i} is negative; tensor sizes must be non-negative.", nameof(size));
    }

    private static (int type, int index) DeviceArgs(Device? device)
    {
        var d = device ?? s_defaultDevice;
        return d.type == DeviceType.CPU && device is null ? (-1, -1) : ((int)d.type, d.index);
    }

    private static int FloatDType(ScalarType? dtype) => (int)(dtype ?? s_defaultDtype);

    private static unsafe Tensor ShapeFactory(ShapeFactoryFn fn, ReadOnlySpan<long> size, ScalarType? dtype, Device? device, bool requires_grad)
    {
        CheckShape(size);
        var (dt, di) = DeviceArgs(device);
        fixed (long* p = size) return Tensor.Wrap(fn(p, size.Length, FloatDType(dtype), dt, di, requires_grad ? 1 : 0));
    }

    private static unsafe Tensor Random(RandomFactoryFn fn, ReadOnlySpan<long> size, ScalarType? dtype, Device? device, bool requires_grad, Generator? generator)
    {
        CheckShape(size);
        var (dt, di) = DeviceArgs(device);
        fixed (long* p = size) return Tensor.Wrap(fn(p, size.Length, Generator.HandleOf(generator), FloatDType(dtype), dt, di, requires_grad ? 1 : 0));
    }

    private static unsafe Tensor Full(ReadOnlySpan<long> size, Scalar value, ScalarType? dtype, Device? device, bool requires_grad)
    {
        CheckShape(size);
        var (dt, di) = DeviceArgs(device);
        // Like PyTorch: an integral or boolean fill value gives an integral/boolean tensor.
        var type = dtype.HasValue ? (int)dtype.Value : value.IsFloatingPoint ? (int)s_defaultDtype : value.Type == ScalarType.Bool ? (int)ScalarType.Bool : (int)ScalarType.Int64;
        fixed (long* p = size) return Tensor.Wrap(Native.ets_full(p, size.Length, value.ToNative(), type, dt, di, requires_grad ? 1 : 0));
    }

    /// <summary>Integers drawn uniformly from [0, high).</summary>
    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null)
        => randint(0, high, size, dtype, device, requires_grad, generator, names);

    /// <summary>Integers drawn uniformly from [low, high).</summary>
    public static unsafe Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null)
    {
        if (high <= low) throw new ArgumentException($"randint: 'high' ({high}) must be greater than 'low' ({low}).", nameof(high));
        CheckShape(size);
        var (dt, di) = DeviceArgs(device);
        fixed (long* p = size) return Tensor.Wrap(Native.ets_randint(low, high, p, size.Length, Generator.HandleOf(generator), Tensor.DType(dtype), dt, di));
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "randperm: n must be non-negative.");
        var (dt, di) = DeviceArgs(device);
        return Tensor.Wrap(Native.ets_randperm(n, Generator.HandleOf(generator), Tensor.DType(dtype), dt, di));
    }

    /// <summary>Samples from N(mean, std²) with the given shape.</summary>
    public static unsafe Tensor normal(double mean, double std, ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null)
    {
        if (std < 0) throw new ArgumentOutOfRangeException(nameof(std), std, "normal: std must be non-negative.");
        CheckShape(size);
        var (dt, di) = DeviceArgs(device);
        fixed (long* p = size) return Tensor.Wrap(Native.ets_normal(mean, std, p, size.Length, Generator.HandleOf(generator), FloatDType(dtype), dt, di, requires_grad ? 1 : 0));
    }

    /// <summary>Values from <paramref name="start"/> to <paramref name="stop"/> (exclusive) by <paramref name="step"/>.</summary>
    public static Tensor arange(Scalar start, Scalar stop, Scalar step, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var (dt, di) = DeviceArgs(device);
        return Tensor.Wrap(Native.ets_arange(start.ToNative(), stop.ToNative(), step.ToNative(), Tensor.DType(dtype), dt, di, requires_grad ? 1 : 0));
    }

    /// <summary>Values from <paramref name="start"/> to <paramref name="stop"/> (exclusive) by 1.</summary>
    public static Tensor arange(Scalar start, Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => arange(start, stop, 1, dtype, device, requires_grad);

    /// <summary>Values from 0 to <paramref name="stop"/> (exclusive) by 1.</summary>
    public static Tensor arange(Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => arange(0, stop, 1, dtype, device, requires_grad);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var (dt, di) = DeviceArgs(device);
        return Tensor.Wrap(Native.ets_linspace(start, end, steps, FloatDType(dtype), dt, di, requires_grad ? 1 : 0));
    }

    /// <summary>An identity matrix.</summary>
    public static Tensor eye(long rows, long columns = -1L, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null)
    {
        var (dt, di) = DeviceArgs(device);
        return Tensor.Wrap(Native.ets_eye(rows, columns, FloatDType(dtype), dt, di, requires_grad ? 1 : 0));
    }

    /// <summary>Zeros like <paramref name="input"/>.</summary>
    public static Tensor zeros_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => input.zeros_like(dtype, device, requires_grad);
    /// <summary>Ones like <paramref name="input"/>.</summary>
    public static Tensor ones_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => input.ones_like(dtype, device, requires_grad);
    /// <summary>Uninitialized like <paramref name="input"/>.</summary>
    public static Tensor empty_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => input.empty_like(dtype, device, requires_grad);
    /// <summary>Filled like <paramref name="input"/>.</summary>
    public static Tensor full_like(Tensor input, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => input.full_like(value, dtype, device, requires_grad);
    /// <summary>U(0, 1) samples like <paramref name="input"/>.</summary>
    public static Tensor rand_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => input.rand_like(dtype, device, requires_grad);
    /// <summary>N(0, 1) samples like <paramref name="input"/>.</summary>
    public static Tensor randn_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => input.randn_like(dtype, device, requires_grad);
    /// <summary>Integers from [low, high) like <paramref name="input"/>.</summary>
    public static Tensor randint_like(Tensor input, long low, long high, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var (dt, di) = DeviceArgs(device);
        return Tensor.Wrap(Native.ets_randint_like(input.HandleChecked, low, high, Tensor.DType(dtype), dt, di));
    }

    // ---- tensors from .NET data -----------------------------------------------------------

    internal static Tensor ScalarTensor(Scalar value, ScalarType? dtype, Device? device, bool requires_grad)
    {
        var (dt, di) = DeviceArgs(device);
        return Tensor.Wrap(Native.ets_scalar_tensor(value.ToNative(), dtype.HasValue ? (int)dtype.Value : (int)value.Type, dt, di, requires_grad ? 1 : 0));
    }

    internal static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, ScalarType? dtype, Device? device, bool requires_grad) where T : unmanaged
    {
        CheckShape(shape);
        long count = 1;
        foreach (var s in shape) count *= s;
        if (count != data.Length)
            throw new ArgumentException($"The shape [{string.Join(", ", shape.ToArray())}] holds {count} elements but {data.Length} were given.", nameof(shape));
        var elementType = Tensor.ScalarTypeOf(typeof(T));
        var (dt, di) = DeviceArgs(device);
        Tensor result;
        fixed (T* p = data)
        fixed (long* sp = shape)
            result = Tensor.Wrap(Native.ets_from_buffer(p, sp, shape.Length, (int)elementType, dt, di, 0));
        if (dtype.HasValue && dtype.Value != elementType)
        {
            var converted = result.to_type(dtype.Value);
            result.Dispose();
            result = converted;
        }
        if (requires_grad) result.requires_grad_(true);
        return result;
    }

    /// <summary>A tensor holding a copy of a .NET array of any rank (shape taken from the array).</summary>
    public static Tensor from_array(Array rawArray, Device? device = null) => from_array(rawArray, null, device);

    /// <summary>A tensor holding a copy of a .NET array of any rank, converted to <paramref name="dtype"/>.</summary>
    public static Tensor from_array(Array rawArray, ScalarType? dtype, Device? device = null, bool requires_grad = false, string[]? names = null)
    {
        ArgumentNullException.ThrowIfNull(rawArray);
        var shape = new long[rawArray.Rank];
        for (var i = 0; i < shape.Length; i++) shape[i] = rawArray.GetLength(i);
        var elementType = rawArray.GetType().GetElementType()!;
        ref var first = ref MemoryMarshal.GetArrayDataReference(rawArray);
        var length = rawArray.Length;
        return Tensor.ScalarTypeOf(elementType) switch
        {
            ScalarType.Float32 => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, float>(ref first), length), shape, dtype, device, requires_grad),
            ScalarType.Float64 => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, double>(ref first), length), shape, dtype, device, requires_grad),
            ScalarType.Int64 => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, long>(ref first), length), shape, dtype, device, requires_grad),
            ScalarType.Int32 => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, int>(ref first), length), shape, dtype, device, requires_grad),
            ScalarType.Int16 => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, short>(ref first), length), shape, dtype, device, requires_grad),
            ScalarType.Int8 => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, sbyte>(ref first), length), shape, dtype, device, requires_grad),
            ScalarType.Byte => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref first, length), shape, dtype, device, requires_grad),
            ScalarType.Bool => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, bool>(ref first), length), shape, dtype, device, requires_grad),
            ScalarType.Float16 => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, Half>(ref first), length), shape, dtype, device, requires_grad),
            var t => throw new ArgumentException($"from_array: element type {elementType.Name} ({t}) is not supported.", nameof(rawArray)),
        };
    }
}
