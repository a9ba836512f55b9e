using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Torch;

/// <summary>Conversions and helpers on tensors, as in TorchSharp's <c>TensorExtensionMethods</c>.</summary>
public static class TensorExtensionMethods
{
    /// <summary>Makes a parameter from the tensor (the tensor's native handle moves into it).</summary>
    public static Modules.Parameter AsParameter(this torch.Tensor tensor) => new(tensor);

    /// <summary>The value of a one-element tensor as a float (any dtype).</summary>
    public static float ToSingle(this torch.Tensor value) => Read<float>(value);
    /// <summary>The value of a one-element tensor as a double (any dtype).</summary>
    public static double ToDouble(this torch.Tensor value) => Read<double>(value);
    /// <summary>The value of a one-element tensor as an int (any dtype).</summary>
    public static int ToInt32(this torch.Tensor value) => Read<int>(value);
    /// <summary>The value of a one-element tensor as a long (any dtype).</summary>
    public static long ToInt64(this torch.Tensor value) => Read<long>(value);
    /// <summary>The value of a one-element tensor as a short (any dtype).</summary>
    public static short ToInt16(this torch.Tensor value) => Read<short>(value);
    /// <summary>The value of a one-element tensor as a byte (any dtype).</summary>
    public static byte ToByte(this torch.Tensor value) => Read<byte>(value);
    /// <summary>The value of a one-element tensor as a signed byte (any dtype).</summary>
    public static sbyte ToSByte(this torch.Tensor value) => Read<sbyte>(value);
    /// <summary>The value of a one-element tensor as a bool (non-zero is true).</summary>
    public static bool ToBoolean(this torch.Tensor value) => Read<bool>(value);

    private static T Read<T>(torch.Tensor value) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(value);
        var n = value.numel();
        if (n != 1) throw new InvalidOperationException($"Only a tensor with exactly one element can be converted to a {typeof(T).Name}; this one has {n}.");
        return value.ToArray<T>()[0];
    }

    /// <summary>Copies the elements (row-major) into a new array, converting the dtype to <typeparamref name="T"/>.</summary>
    public static T[] ToArray<T>(this torch.Tensor tensor) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.ToArray<T>();
    }

    /// <summary>The shape as int32 values.</summary>
    public static ReadOnlySpan<int> IntShape(this torch.Tensor tensor) => tensor.shape.Select(checked(x => (int)x)).ToArray();

    /// <summary>The product of the sizes.</summary>
    public static long TotalSize(this IEnumerable<long> shape) => shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The elements formatted by libtorch.</summary>
    public static string str(this torch.Tensor tensor) => tensor.Format();

    /// <summary>Writes the elements to the console and returns the tensor.</summary>
    public static torch.Tensor print(this torch.Tensor t)
    {
        Console.WriteLine(t.Format());
        return t;
    }

    /// <summary>A tensor of the given shape holding a copy of the array.</summary>
    public static torch.Tensor ToTensor<T>(this T[] rawArray, long[] dimensions, bool doCopy = false, bool requires_grad = false) where T : unmanaged
        => torch.FromSpan<T>(rawArray, dimensions, null, null, requires_grad);
}
