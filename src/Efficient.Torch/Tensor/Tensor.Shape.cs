using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>The same elements with a new shape (a view when possible); one size may be -1.</summary>
        public unsafe Tensor reshape(params long[] shape)
        {
            fixed (long* p = shape) return Wrap(Native.ets_reshape(HandleChecked, p, shape.Length));
        }

        /// <summary>A view with a new shape; the strides must allow it.</summary>
        public unsafe Tensor view(params long[] shape)
        {
            fixed (long* p = shape) return Wrap(Native.ets_view(HandleChecked, p, shape.Length));
        }

        /// <summary>A view with the shape of <paramref name="other"/>.</summary>
        public Tensor view_as(Tensor other) => view(other.shape);

        /// <summary>Flattens dimensions start_dim..end_dim into one.</summary>
        public Tensor flatten(long start_dim = 0, long end_dim = -1) => Wrap(Native.ets_flatten(HandleChecked, start_dim, end_dim));

        /// <summary>Reorders the dimensions.</summary>
        public unsafe Tensor permute(params long[] permutation)
        {
            fixed (long* p = permutation) return Wrap(Native.ets_permute(HandleChecked, p, permutation.Length));
        }

        /// <summary>Reorders the dimensions.</summary>
        public Tensor permute(IEnumerable<long> permutation) => permute(permutation.ToArray());

        /// <summary>Swaps two dimensions.</summary>
        public Tensor transpose(long dim0, long dim1) => Wrap(Native.ets_transpose(HandleChecked, dim0, dim1));

        /// <summary>Transposes a tensor of at most 2 dimensions.</summary>
        public Tensor t() => Wrap(Native.ets_t(HandleChecked));

        /// <summary>The transpose (last two dimensions swapped; for 2-D, the matrix transpose).</summary>
        public Tensor T => dim() < 2 ? alias() : transpose(-2, -1);

        /// <summary>The matrix transpose of the last two dimensions.</summary>
        public Tensor mT => transpose(-2, -1);

        /// <summary>Removes dimensions of size 1 (all of them, or only <paramref name="dim"/>).</summary>
        public Tensor squeeze(long? dim = null) => Wrap(Native.ets_squeeze(HandleChecked, dim.HasValue ? 1 : 0, dim ?? 0));

        /// <summary>Inserts a dimension of size 1.</summary>
        public Tensor unsqueeze(long dim) => Wrap(Native.ets_unsqueeze(HandleChecked, dim));

        /// <summary>A broadcast view with the given sizes (-1 keeps a size).</summary>
        public unsafe Tensor expand(ReadOnlySpan<long> sizes, bool isImplicit = false)
        {
            fixed (long* p = sizes) return Wrap(Native.ets_expand(HandleChecked, p, sizes.Length, isImplicit ? 1 : 0));
        }

        /// <summary>A broadcast view with the given sizes.</summary>
        public Tensor expand(long[] sizes, bool isImplicit = false) => expand((ReadOnlySpan<long>)sizes, isImplicit);

        /// <summary>A broadcast view with the given sizes.</summary>
        public Tensor expand(params long[] sizes) => expand((ReadOnlySpan<long>)sizes, false);

        /// <summary>A broadcast view with the shape of <paramref name="other"/>.</summary>
        public Tensor expand_as(Tensor other) => expand(other.shape);

        /// <summary>Repeats the tensor along each dimension.</summary>
        public unsafe Tensor repeat(params long[] sizes)
        {
            fixed (long* p = sizes) return Wrap(Native.ets_repeat(HandleChecked, p, sizes.Length));
        }

        /// <summary>Repeats the tensor (numpy's tile).</summary>
        public unsafe Tensor tile(long[] reps)
        {
            fixed (long* p = reps) return Wrap(Native.ets_tile(HandleChecked, p, reps.Length));
        }

        /// <summary>Reverses the order of elements along the given dimensions.</summary>
        public unsafe Tensor flip(params long[] dims)
        {
            fixed (long* p = dims) return Wrap(Native.ets_flip(HandleChecked, p, dims.Length));
        }

        /// <summary>Rolls the elements along a dimension (or the flattened tensor).</summary>
        public Tensor roll(long shifts, long? dims = null) => dims.HasValue ? roll(new[] { shifts }, new[] { dims.Value }) : roll(new[] { shifts });

        /// <summary>Rolls the elements along several dimensions.</summary>
        public unsafe Tensor roll(long[] shifts, long[] dims)
        {
            fixed (long* s = shifts)
            fixed (long* d = dims)
                return Wrap(Native.ets_roll(HandleChecked, s, shifts.Length, d, dims.Length));
        }

        /// <summary>Rolls the flattened elements.</summary>
        public unsafe Tensor roll(long[] shifts)
        {
            fixed (long* s = shifts) return Wrap(Native.ets_roll(HandleChecked, s, shifts.Length, null, 0));
        }

        /// <summary>A view of <paramref name="length"/> elements starting at <paramref name="start"/> along a dimension.</summary>
        public Tensor narrow(long dim, long start, long length) => Wrap(Native.ets_narrow(HandleChecked, dim, start, length));

        /// <summary>A view at one index along a dimension (the dimension is removed).</summary>
        public Tensor select(long dim, long index) => Wrap(Native.ets_select(HandleChecked, dim, index));

        /// <summary>A strided view [start, finish) along a dimension.</summary>
        public Tensor slice(long dim, long start, long finish, long step) => Wrap(Native.ets_slice(HandleChecked, dim, start, finish, step));

        /// <summary>The entries at the given positions along a dimension.</summary>
        public Tensor index_select(long dim, Tensor index) => Wrap(Native.ets_index_select(HandleChecked, dim, index.HandleChecked));

        /// <summary>Gathers values along a dimension by index.</summary>
        public Tensor gather(long dim, Tensor index) => Wrap(Native.ets_gather(HandleChecked, dim, index.HandleChecked));

        /// <summary>A copy with values of <paramref name="src"/> written at <paramref name="index"/> along a dimension.</summary>
        public Tensor scatter(long dim, Tensor index, Tensor src) => Wrap(Native.ets_scatter(HandleChecked, dim, index.HandleChecked, src.HandleChecked));

        /// <summary>In place: writes values of <paramref name="src"/> at <paramref name="index"/> along a dimension.</summary>
        public Tensor scatter_(long dim, Tensor index, Tensor src) { Native.Check(Native.ets_scatter_(HandleChecked, dim, index.HandleChecked, src.HandleChecked)); return this; }

        /// <summary>A copy with values of <paramref name="src"/> added at <paramref name="index"/> along a dimension.</summary>
        public Tensor scatter_add(long dim, Tensor index, Tensor src) => Wrap(Native.ets_scatter_add(HandleChecked, dim, index.HandleChecked, src.HandleChecked));

        /// <summary>A copy with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
        public Tensor masked_fill(Tensor mask, Scalar value) => Wrap(Native.ets_masked_fill(HandleChecked, mask.HandleChecked, value.ToNative()));

        /// <summary>In place: writes <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
        public Tensor masked_fill_(Tensor mask, Scalar value) { Native.Check(Native.ets_masked_fill_(HandleChecked, mask.HandleChecked, value.ToNative())); return this; }

        /// <summary>The elements where <paramref name="mask"/> is true, as a 1-D tensor.</summary>
        public Tensor masked_select(Tensor mask) => Wrap(Native.ets_masked_select(HandleChecked, mask.HandleChecked));

        /// <summary>Splits into pieces of <paramref name="size"/> along a dimension.</summary>
        public Tensor[] split(long size, int dim = 0) => WrapList(Native.ets_split_size(HandleChecked, size, dim, out var n), n);

        /// <summary>Splits into pieces of the given sizes along a dimension.</summary>
        public unsafe Tensor[] split(ReadOnlySpan<long> sizes, long dim = 0)
        {
            fixed (long* p = sizes) return WrapList(Native.ets_split_sizes(HandleChecked, p, sizes.Length, dim, out var n), n);
        }

        /// <summary>Splits into pieces of the given sizes along a dimension.</summary>
        public Tensor[] split(long[] sizes, long dim = 0) => split((ReadOnlySpan<long>)sizes, dim);

        /// <summary>Splits into pieces of the given sizes along dimension 0.</summary>
        public Tensor[] split(params long[] sizes) => split((ReadOnlySpan<long>)sizes, 0);

        /// <summary>Splits into <paramref name="chunks"/> near-equal pieces along a dimension.</summary>
        public Tensor[] chunk(long chunks, long dim = 0L) => WrapList(Native.ets_chunk(HandleChecked, chunks, dim, out var n), n);

        /// <summary>Removes a dimension, returning the slices along it.</summary>
        public Tensor[] unbind(long dimension = 0L) => WrapList(Native.ets_unbind(HandleChecked, dimension, out var n), n);
    }
}
