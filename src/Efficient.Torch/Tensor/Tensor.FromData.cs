using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>A 1-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(float[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the array.</summary>
    public static Tensor tensor(float[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<float> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray.ToArray(), new long[] { rawArray.Count }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the list.</summary>
    public static Tensor tensor(IList<float> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<float> rawArray, long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray.ToArray(), new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<float> rawArray, long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray.ToArray(), new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<float> rawArray, long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray.ToArray(), new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(float[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(float[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(float[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the memory.</summary>
    public static Tensor tensor(Memory<float> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray.Span, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(double[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the array.</summary>
    public static Tensor tensor(double[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<double> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray.ToArray(), new long[] { rawArray.Count }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the list.</summary>
    public static Tensor tensor(IList<double> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<double> rawArray, long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray.ToArray(), new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<double> rawArray, long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray.ToArray(), new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<double> rawArray, long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray.ToArray(), new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(double[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(double[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(double[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the memory.</summary>
    public static Tensor tensor(Memory<double> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray.Span, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(long[] dataArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(dataArray, new long[] { dataArray.Length }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the array.</summary>
    public static Tensor tensor(long[] dataArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(dataArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<long> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(rawArray.ToArray(), new long[] { rawArray.Count }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the list.</summary>
    public static Tensor tensor(IList<long> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<long> rawArray, long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(rawArray.ToArray(), new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<long> rawArray, long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(rawArray.ToArray(), new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<long> rawArray, long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(rawArray.ToArray(), new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(long[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(long[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(long[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the memory.</summary>
    public static Tensor tensor(Memory<long> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(rawArray.Span, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(int[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the array.</summary>
    public static Tensor tensor(int[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<int> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray.ToArray(), new long[] { rawArray.Count }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the list.</summary>
    public static Tensor tensor(IList<int> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<int> rawArray, long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray.ToArray(), new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<int> rawArray, long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray.ToArray(), new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<int> rawArray, long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray.ToArray(), new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(int[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(int[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(int[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the memory.</summary>
    public static Tensor tensor(Memory<int> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray.Span, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(short[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<short>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the array.</summary>
    public static Tensor tensor(short[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<short>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<short> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<short>(rawArray.ToArray(), new long[] { rawArray.Count }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the list.</summary>
    public static Tensor tensor(IList<short> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<short>(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<short> rawArray, long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<short>(rawArray.ToArray(), new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<short> rawArray, long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<short>(rawArray.ToArray(), new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<short> rawArray, long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<short>(rawArray.ToArray(), new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(short[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(short[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(short[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the memory.</summary>
    public static Tensor tensor(Memory<short> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<short>(rawArray.Span, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(byte[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the array.</summary>
    public static Tensor tensor(byte[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<byte> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray.ToArray(), new long[] { rawArray.Count }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the list.</summary>
    public static Tensor tensor(IList<byte> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<byte> rawArray, long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray.ToArray(), new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<byte> rawArray, long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray.ToArray(), new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<byte> rawArray, long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray.ToArray(), new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(byte[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(byte[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(byte[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the memory.</summary>
    public static Tensor tensor(Memory<byte> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray.Span, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(sbyte[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<sbyte>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the array.</summary>
    public static Tensor tensor(sbyte[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<sbyte>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<sbyte> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<sbyte>(rawArray.ToArray(), new long[] { rawArray.Count }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the list.</summary>
    public static Tensor tensor(IList<sbyte> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<sbyte>(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<sbyte> rawArray, long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<sbyte>(rawArray.ToArray(), new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<sbyte> rawArray, long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<sbyte>(rawArray.ToArray(), new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<sbyte> rawArray, long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<sbyte>(rawArray.ToArray(), new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(sbyte[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(sbyte[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(sbyte[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the memory.</summary>
    public static Tensor tensor(Memory<sbyte> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<sbyte>(rawArray.Span, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(bool[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the array.</summary>
    public static Tensor tensor(bool[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 1-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<bool> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray.ToArray(), new long[] { rawArray.Count }, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the list.</summary>
    public static Tensor tensor(IList<bool> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<bool> rawArray, long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray.ToArray(), new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<bool> rawArray, long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray.ToArray(), new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the list.</summary>
    public static Tensor tensor(IList<bool> rawArray, long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray.ToArray(), new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(bool[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 3-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(bool[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A 4-D tensor holding a copy of the array.</summary>
    public static Tensor tensor(bool[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => from_array(rawArray, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of the memory.</summary>
    public static Tensor tensor(Memory<bool> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray.Span, dimensions, dtype, device, requires_grad);
    /// <summary>A 0-d tensor holding the value.</summary>
    public static Tensor tensor(float scalar, Device? device = null, bool requires_grad = false) => ScalarTensor(scalar, null, device, requires_grad);
    /// <summary>A 0-d tensor holding the value.</summary>
    public static Tensor tensor(int scalar, Device? device = null, bool requires_grad = false) => ScalarTensor(scalar, null, device, requires_grad);
    /// <summary>A 0-d tensor holding the value.</summary>
    public static Tensor tensor(byte scalar, Device? device = null, bool requires_grad = false) => ScalarTensor(scalar, null, device, requires_grad);
    /// <summary>A 0-d tensor holding the value.</summary>
    public static Tensor tensor(sbyte scalar, Device? device = null, bool requires_grad = false) => ScalarTensor(scalar, null, device, requires_grad);
    /// <summary>A 0-d tensor holding the value.</summary>
    public static Tensor tensor(short scalar, Device? device = null, bool requires_grad = false) => ScalarTensor(scalar, null, device, requires_grad);
    /// <summary>A 0-d tensor holding the value.</summary>
    public static Tensor tensor(double scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => ScalarTensor(scalar, dtype, device, requires_grad);
    /// <summary>A 0-d tensor holding the value.</summary>
    public static Tensor tensor(long scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => ScalarTensor(scalar, dtype, device, requires_grad);
    /// <summary>A 0-d tensor holding the value.</summary>
    public static Tensor tensor(bool scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => ScalarTensor(scalar, dtype, device, requires_grad);
}
