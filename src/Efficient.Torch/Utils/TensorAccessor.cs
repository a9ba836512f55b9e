using System;
using System.Collections;
using System.Collections.Generic;

namespace Efficient.Torch.Utils;

/// <summary>
/// Element access to a CPU tensor's memory (honouring its strides). Keep the tensor alive while the
/// accessor is in use; writes go straight into the tensor.
/// </summary>
public sealed unsafe class TensorAccessor<T> : IDisposable, IEnumerable<T> where T : unmanaged
{
    private readonly torch.Tensor _tensor;
    private readonly long[] _shape;
    private readonly long[] _strides;

    internal TensorAccessor(torch.Tensor tensor)
    {
        _tensor = tensor;
        _shape = tensor.shape;
        _strides = tensor.stride();
        Count = tensor.numel();
    }

    /// <summary>The number of elements.</summary>
    public long Count { get; }

    /// <summary>Always false: the accessor writes through.</summary>
    public bool IsReadOnly => false;

    private T* Base
    {
        get
        {
            var p = Interop.Native.ets_data_ptr(_tensor.HandleChecked);
            if (p == IntPtr.Zero && Count > 0) Interop.Native.ThrowLastError();
            return (T*)p;
        }
    }

    private long OffsetOfFlat(long flat)
    {
        long offset = 0;
        for (var d = _shape.Length - 1; d >= 0; d--)
        {
            var i = flat % _shape[d];
            flat /= _shape[d];
            offset += i * _strides[d];
        }
        return offset;
    }

    private long OffsetOf(long[] indices)
    {
        if (indices.Length == 1 && _shape.Length != 1)
        {
            if (indices[0] < 0 || indices[0] >= Count) throw new IndexOutOfRangeException($"Flat index {indices[0]} is outside [0, {Count}).");
            return OffsetOfFlat(indices[0]);
        }
        if (indices.Length != _shape.Length)
            throw new ArgumentException($"Expected {_shape.Length} indices (one per dimension) or one flat index, got {indices.Length}.", nameof(indices));
        long offset = 0;
        for (var d = 0; d < indices.Length; d++)
        {
            var i = indices[d] < 0 ? indices[d] + _shape[d] : indices[d];
            if (i < 0 || i >= _shape[d]) throw new IndexOutOfRangeException($"Index {indices[d]} is out of range for dimension {d} of size {_shape[d]}.");
            offset += i * _strides[d];
        }
        return offset;
    }

    /// <summary>The element at the given indices (one per dimension, or one flat row-major index).</summary>
    public T this[params long[] indices]
    {
        get => Base[OffsetOf(indices)];
        set => Base[OffsetOf(indices)] = value;
    }

    /// <summary>All elements in row-major order.</summary>
    public T[] ToArray()
    {
        var result = new T[Count];
        CopyTo(result);
        return result;
    }

    /// <summary>The elements as a .NET array with the tensor's rank.</summary>
    public Array ToNDArray()
    {
        var flat = ToArray();
        if (_shape.Length == 0) return flat;
        var result = Array.CreateInstance(typeof(T), _shape);
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(T));
        return result;
    }

    /// <summary>Copies elements into <paramref name="array"/>.</summary>
    public void CopyTo(T[] array, int arrayIndex = 0, long tensorIndex = 0) => CopyTo(array.AsSpan(), arrayIndex, tensorIndex);

    /// <summary>Copies elements into <paramref name="array"/>.</summary>
    public void CopyTo(Span<T> array, int arrayIndex = 0, long tensorIndex = 0)
    {
        var b = Base;
        for (long k = tensorIndex, j = arrayIndex; k < Count && j < array.Length; k++, j++) array[(int)j] = b[OffsetOfFlat(k)];
    }

    /// <summary>Copies elements from <paramref name="array"/> into the tensor.</summary>
    public void CopyFrom(T[] array, int arrayIndex = 0, long tensorIndex = 0) => CopyFrom((ReadOnlySpan<T>)array, arrayIndex, tensorIndex);

    /// <summary>Copies elements from <paramref name="array"/> into the tensor.</summary>
    public void CopyFrom(ReadOnlySpan<T> array, int arrayIndex = 0, long tensorIndex = 0)
    {
        var b = Base;
        for (long k = tensorIndex, j = arrayIndex; k < Count && j < array.Length; k++, j++) b[OffsetOfFlat(k)] = array[(int)j];
    }

    /// <summary>Nothing to release; the tensor keeps its memory.</summary>
    public void Dispose() => GC.KeepAlive(_tensor);

    /// <summary>Enumerates the elements in row-major order.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        for (long k = 0; k < Count; k++) yield return ReadFlat(k);
    }

    private T ReadFlat(long k) => Base[OffsetOfFlat(k)];

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
