using System;
using System.Collections.Generic;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, size, dtype, device, requires_grad);
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, size, dtype, device, requires_grad);
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, new[] { size }, dtype, device, requires_grad);
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(int size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, new long[] { size }, dtype, device, requires_grad);
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, new long[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(int dim0, int dim1, int dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, new long[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(int dim0, int dim1, int dim2, int dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_zeros, new long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, size, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, size, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, new[] { size }, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(int size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, new long[] { size }, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, new long[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(int dim0, int dim1, int dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, new long[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>A tensor of ones.</summary>
    public static unsafe Tensor ones(int dim0, int dim1, int dim2, int dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_ones, new long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, size, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, size, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, new[] { size }, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, new[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(int size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, new long[] { size }, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, new long[] { rows, columns }, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(int dim0, int dim1, int dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, new long[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
    /// <summary>An uninitialized tensor.</summary>
    public static unsafe Tensor empty(int dim0, int dim1, int dim2, int dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ShapeFactory(Native.ets_empty, new long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(size, value, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(ReadOnlySpan<long> size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(size, value, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(long size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(new[] { size }, value, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(long rows, long columns, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(new[] { rows, columns }, value, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(long dim0, long dim1, long dim2, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(new[] { dim0, dim1, dim2 }, value, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(long dim0, long dim1, long dim2, long dim3, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(new[] { dim0, dim1, dim2, dim3 }, value, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(int size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(new long[] { size }, value, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(int rows, int columns, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(new long[] { rows, columns }, value, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(int dim0, int dim1, int dim2, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(new long[] { dim0, dim1, dim2 }, value, dtype, device, requires_grad);
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(int dim0, int dim1, int dim2, int dim3, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Full(new long[] { dim0, dim1, dim2, dim3 }, value, dtype, device, requires_grad);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, size, dtype, device, requires_grad, generator);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, size, dtype, device, requires_grad, generator);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, new[] { size }, dtype, device, requires_grad, generator);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, new[] { rows, columns }, dtype, device, requires_grad, generator);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad, generator);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad, generator);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(int size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, new long[] { size }, dtype, device, requires_grad, generator);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, new long[] { rows, columns }, dtype, device, requires_grad, generator);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(int dim0, int dim1, int dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, new long[] { dim0, dim1, dim2 }, dtype, device, requires_grad, generator);
    /// <summary>Samples from U(0, 1).</summary>
    public static unsafe Tensor rand(int dim0, int dim1, int dim2, int dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_rand, new long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, size, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, size, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, new[] { size }, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, new[] { rows, columns }, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(int size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, new long[] { size }, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, new long[] { rows, columns }, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(int dim0, int dim1, int dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, new long[] { dim0, dim1, dim2 }, dtype, device, requires_grad, generator);
    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(int dim0, int dim1, int dim2, int dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Random(Native.ets_randn, new long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad, generator);
}
