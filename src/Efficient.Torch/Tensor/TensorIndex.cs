using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>One entry of an index expression: an integer, a slice, <c>...</c>, a new axis, a boolean or a tensor.</summary>
    public struct TensorIndex
    {
        internal enum Kind { Single = 0, Slice = 1, Ellipsis = 2, None = 3, Bool = 4, Tensor = 5 }

        internal Kind kind;
        internal long? startIndexOrBoolOrSingle;
        internal long? stopIndex;
        internal long? step;
        internal Tensor? tensor;

        /// <summary>A slice [start, stop) with a step; omitted bounds mean the whole dimension.</summary>
        public static TensorIndex Slice(long? start = null, long? stop = null, long? step = null)
        {
            if (step is <= 0) throw new ArgumentOutOfRangeException(nameof(step), step, "The slice step must be positive.");
            return new TensorIndex { kind = Kind.Slice, startIndexOrBoolOrSingle = start, stopIndex = stop, step = step };
        }

        /// <summary>A slice from a tuple.</summary>
        public static TensorIndex Slice((int? start, int? end) range) => Slice(range.start, range.end);

        /// <summary>A slice from a C# range (<c>1..^1</c>).</summary>
        public static TensorIndex Slice(Range range)
        {
            long? start = range.Start.IsFromEnd ? -range.Start.Value : range.Start.Value;
            long? stop = range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value;
            return Slice(start, stop);
        }

        /// <summary>A boolean index (true adds a dimension of 1, false of 0).</summary>
        public static TensorIndex Bool(bool value) => new() { kind = Kind.Bool, startIndexOrBoolOrSingle = value ? 1 : 0 };

        /// <summary>A single position (the dimension is removed).</summary>
        public static TensorIndex Single(long? index) => index is null ? Colon : new TensorIndex { kind = Kind.Single, startIndexOrBoolOrSingle = index };

        /// <summary>An index tensor (integer positions or a boolean mask).</summary>
        public static TensorIndex Tensor(Tensor tensor) => new() { kind = Kind.Tensor, tensor = tensor ?? throw new ArgumentNullException(nameof(tensor)) };

#pragma warning disable CA2211 // Mutable static fields as in TorchSharp.
        /// <summary>All remaining dimensions (<c>...</c>).</summary>
        public static TensorIndex Ellipsis = new() { kind = Kind.Ellipsis };
        /// <summary>A new axis of size 1.</summary>
        public static TensorIndex None = new() { kind = Kind.None };
        /// <summary>A new axis of size 1.</summary>
        public static TensorIndex Null = new() { kind = Kind.None };
        /// <summary>The whole dimension (<c>:</c>).</summary>
        public static TensorIndex Colon = new() { kind = Kind.Slice };
#pragma warning restore CA2211

        /// <summary>A single position.</summary>
        public static implicit operator TensorIndex(long value) => Single(value);

        /// <summary>A slice from a tuple.</summary>
        public static implicit operator TensorIndex((int? start, int? end) range) => Slice(range);

        /// <summary>A slice from a C# range.</summary>
        public static implicit operator TensorIndex(Range range) => Slice(range);

        /// <summary>A single position from a C# index (<c>^1</c> is the last).</summary>
        public static implicit operator TensorIndex(Index index) => Single(index.IsFromEnd ? -index.Value : index.Value);

        /// <summary>An index tensor.</summary>
        public static implicit operator TensorIndex(Tensor tensor) => Tensor(tensor);
    }

    public partial class Tensor
    {
        /// <summary>Indexes with slices, integers, <c>...</c>, new axes and index tensors (as <c>t[..., 0:2]</c> in Python).</summary>
        public Tensor this[params TensorIndex[] indices]
        {
            get => index(indices);
            set => index_put_(value, indices);
        }

        /// <summary>Advanced indexing with index tensors.</summary>
        public Tensor this[params Tensor[] indices]
        {
            get => index(indices);
            set => index_put_(value, indices);
        }

        /// <summary>One position along the first dimension.</summary>
        public Tensor this[long i1]
        {
            get => index(TensorIndex.Single(i1));
            set => index_put_(value, TensorIndex.Single(i1));
        }

        /// <summary>Positions along the first two dimensions.</summary>
        public Tensor this[long i1, long i2]
        {
            get => index(TensorIndex.Single(i1), TensorIndex.Single(i2));
            set => index_put_(value, TensorIndex.Single(i1), TensorIndex.Single(i2));
        }

        /// <summary>Positions along the first three dimensions.</summary>
        public Tensor this[long i1, long i2, long i3]
        {
            get => index(TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3));
            set => index_put_(value, TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3));
        }

        /// <summary>Positions along the first four dimensions.</summary>
        public Tensor this[long i1, long i2, long i3, long i4]
        {
            get => index(TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3), TensorIndex.Single(i4));
            set => index_put_(value, TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3), TensorIndex.Single(i4));
        }

        /// <summary>Positions along the leading dimensions, one per index (each indexed dimension is removed).</summary>
        public Tensor this[params long[] indices]
        {
            get => index(Array.ConvertAll(indices, i => TensorIndex.Single(i)));
            set => index_put_(value, Array.ConvertAll(indices, i => TensorIndex.Single(i)));
        }

        /// <summary>Applies an index expression.</summary>
        public Tensor index(params TensorIndex[] indices)
        {
            using var enc = new EncodedIndices(indices);
            return enc.Index(this);
        }

        /// <summary>Advanced indexing with index tensors.</summary>
        public Tensor index(params Tensor[] indices) => index(Array.ConvertAll(indices, TensorIndex.Tensor));

        /// <summary>Writes <paramref name="value"/> into the indexed positions; returns this tensor.</summary>
        public Tensor index_put_(Tensor value, params TensorIndex[] indices) => index_put_(value, indices, false);

        /// <summary>Writes (or, with <paramref name="accumulate"/>, adds) <paramref name="value"/> into the indexed positions.</summary>
        public Tensor index_put_(Tensor value, TensorIndex[] indices, bool accumulate = false)
        {
            using var enc = new EncodedIndices(indices);
            enc.Put(this, value, accumulate);
            return this;
        }

        /// <summary>Writes <paramref name="value"/> at the positions given by index tensors.</summary>
        public Tensor index_put_(Tensor value, params Tensor[] indices) => index_put_(value, Array.ConvertAll(indices, TensorIndex.Tensor), false);

        /// <summary>Writes or adds <paramref name="value"/> at the positions given by index tensors.</summary>
        public Tensor index_put_(Tensor value, Tensor[] indices, bool accumulate = false) => index_put_(value, Array.ConvertAll(indices, TensorIndex.Tensor), accumulate);

        /// <summary>Writes a scalar into the indexed positions; returns this tensor.</summary>
        public Tensor index_put_(Scalar value, params TensorIndex[] indices)
        {
            using var enc = new EncodedIndices(indices);
            enc.PutScalar(this, value);
            return this;
        }

        /// <summary>Writes a scalar at the positions given by index tensors.</summary>
        public Tensor index_put_(Scalar value, params Tensor[] indices) => index_put_(value, Array.ConvertAll(indices, TensorIndex.Tensor));

        /// <summary>The index expression as parallel arrays for the shim.</summary>
        private readonly unsafe struct EncodedIndices : IDisposable
        {
            private readonly int[] _kinds;
            private readonly long[] _starts, _stops, _steps;
            private readonly int[] _flags;
            private readonly IntPtr[] _tensors;
            private readonly TensorIndex[] _source;

            public EncodedIndices(TensorIndex[] indices)
            {
                ArgumentNullException.ThrowIfNull(indices);
                var n = indices.Length;
                _source = indices;
                _kinds = new int[n];
                _starts = new long[n];
                _stops = new long[n];
                _steps = new long[n];
                _flags = new int[n];
                _tensors = new IntPtr[n];
                for (var k = 0; k < n; k++)
                {
                    var ix = indices[k];
                    _kinds[k] = (int)ix.kind;
                    _starts[k] = ix.startIndexOrBoolOrSingle ?? 0;
                    _stops[k] = ix.stopIndex ?? 0;
                    _steps[k] = ix.step ?? 1;
                    _flags[k] = (ix.startIndexOrBoolOrSingle.HasValue ? 1 : 0) | (ix.stopIndex.HasValue ? 2 : 0) | (ix.step.HasValue ? 4 : 0);
                    if (ix.kind == TensorIndex.Kind.Tensor) _tensors[k] = ix.tensor!.Handle;
                }
            }

            public Tensor Index(Tensor self)
            {
                fixed (int* kinds = _kinds) fixed (long* starts = _starts) fixed (long* stops = _stops) fixed (long* steps = _steps)
                fixed (int* flags = _flags) fixed (IntPtr* tensors = _tensors)
                    return Wrap(Native.ets_index(self.HandleChecked, kinds, starts, stops, steps, flags, tensors, _kinds.Length));
            }

            public void Put(Tensor self, Tensor value, bool accumulate)
            {
                fixed (int* kinds = _kinds) fixed (long* starts = _starts) fixed (long* stops = _stops) fixed (long* steps = _steps)
                fixed (int* flags = _flags) fixed (IntPtr* tensors = _tensors)
                    Native.Check(Native.ets_index_put_(self.HandleChecked, kinds, starts, stops, steps, flags, tensors, _kinds.Length, value.HandleChecked, accumulate ? 1 : 0));
            }

            public void PutScalar(Tensor self, Scalar value)
            {
                fixed (int* kinds = _kinds) fixed (long* starts = _starts) fixed (long* stops = _stops) fixed (long* steps = _steps)
                fixed (int* flags = _flags) fixed (IntPtr* tensors = _tensors)
                    Native.Check(Native.ets_index_put_scalar_(self.HandleChecked, kinds, starts, stops, steps, flags, tensors, _kinds.Length, value.ToNative()));
            }

            public void Dispose() => GC.KeepAlive(_source);
        }
    }
}
