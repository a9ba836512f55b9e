using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>Sum of all elements.</summary>
        public Tensor sum(ScalarType? type = null) => Wrap(Native.ets_sum(HandleChecked, DType(type)));
        /// <summary>Sum over the given dimensions.</summary>
        public Tensor sum(long[] dim, bool keepdim = false, ScalarType? type = null) => sum((ReadOnlySpan<long>)dim, keepdim, type);
        /// <summary>Sum over the given dimensions.</summary>
        public unsafe Tensor sum(ReadOnlySpan<long> dim, bool keepdim = false, ScalarType? type = null)
        {
            fixed (long* p = dim) return Wrap(Native.ets_sum_dims(HandleChecked, p, dim.Length, keepdim ? 1 : 0, DType(type)));
        }
        /// <summary>Sum over one dimension.</summary>
        public Tensor sum(long dim, bool keepdim = false, ScalarType? type = null) => sum(new[] { dim }, keepdim, type);
        /// <summary>Sum over two dimensions.</summary>
        public Tensor sum(long dim0, long dim1, bool keepdim = false, ScalarType? type = null) => sum(new[] { dim0, dim1 }, keepdim, type);
        /// <summary>Sum over three dimensions.</summary>
        public Tensor sum(long dim0, long dim1, long dim2, bool keepdim = false, ScalarType? type = null) => sum(new[] { dim0, dim1, dim2 }, keepdim, type);

        /// <summary>Mean of all elements.</summary>
        public Tensor mean() => Wrap(Native.ets_mean(HandleChecked, -1));
        /// <summary>Mean of all elements, computed in <paramref name="type"/>.</summary>
        public Tensor mean(ScalarType? type) => Wrap(Native.ets_mean(HandleChecked, DType(type)));
        /// <summary>Mean over the given dimensions.</summary>
        public unsafe Tensor mean(long[] dimensions, bool keepdim = false, ScalarType? type = null)
        {
            ArgumentNullException.ThrowIfNull(dimensions);
            fixed (long* p = dimensions) return Wrap(Native.ets_mean_dims(HandleChecked, p, dimensions.Length, keepdim ? 1 : 0, DType(type)));
        }

        /// <summary>Product of all elements.</summary>
        public Tensor prod(ScalarType? type = null) => Wrap(Native.ets_prod(HandleChecked, DType(type)));
        /// <summary>Product over one dimension.</summary>
        public Tensor prod(long dim, bool keepdim = false, ScalarType? type = null) => Wrap(Native.ets_prod_dim(HandleChecked, dim, keepdim ? 1 : 0, DType(type)));

        /// <summary>Largest element.</summary>
        public Tensor max() => Wrap(Native.ets_max_all(HandleChecked));
        /// <summary>Element-wise maximum (alias of <see cref="maximum"/>).</summary>
        public Tensor max(Tensor other) => maximum(other);
        /// <summary>Largest elements along a dimension and their positions.</summary>
        public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
        {
            var rc = Native.ets_max_dim(HandleChecked, dim, keepdim ? 1 : 0, out var v, out var i);
            return WrapPair(rc, v, i);
        }
        /// <summary>Smallest element.</summary>
        public Tensor min() => Wrap(Native.ets_min_all(HandleChecked));
        /// <summary>Element-wise minimum (alias of <see cref="minimum"/>).</summary>
        public Tensor min(Tensor other) => minimum(other);
        /// <summary>Smallest elements along a dimension and their positions.</summary>
        public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
        {
            var rc = Native.ets_min_dim(HandleChecked, dim, keepdim ? 1 : 0, out var v, out var i);
            return WrapPair(rc, v, i);
        }

        /// <summary>Flat index of the largest element.</summary>
        public Tensor argmax() => Wrap(Native.ets_argmax_all(HandleChecked));
        /// <summary>Index of the largest element along a dimension.</summary>
        public Tensor argmax(long dim, bool keepdim = false) => Wrap(Native.ets_argmax_dim(HandleChecked, dim, keepdim ? 1 : 0));
        /// <summary>Flat index of the smallest element.</summary>
        public Tensor argmin() => Wrap(Native.ets_argmin_all(HandleChecked));
        /// <summary>Index of the smallest element along a dimension.</summary>
        public Tensor argmin(long dim, bool keepdim = false) => Wrap(Native.ets_argmin_dim(HandleChecked, dim, keepdim ? 1 : 0));

        /// <summary>Whether all elements are true (non-zero).</summary>
        public Tensor all() => Wrap(Native.ets_all_all(HandleChecked));
        /// <summary>Whether all elements along a dimension are true.</summary>
        public Tensor all(long dim, bool keepdim = false) => Wrap(Native.ets_all_dim(HandleChecked, dim, keepdim ? 1 : 0));
        /// <summary>Whether any element is true (non-zero).</summary>
        public Tensor any() => Wrap(Native.ets_any_all(HandleChecked));
        /// <summary>Whether any element along a dimension is true.</summary>
        public Tensor any(long dim, bool keepdim = false) => Wrap(Native.ets_any_dim(HandleChecked, dim, keepdim ? 1 : 0));

        /// <summary>The p-norm of all elements.</summary>
        public Tensor norm(float p = 2.0f) => Wrap(Native.ets_norm(HandleChecked, p));
        /// <summary>The p-norm along a dimension.</summary>
        public Tensor norm(int dim, bool keepdim = false, float p = 2.0f) => Wrap(Native.ets_norm_dim(HandleChecked, dim, keepdim ? 1 : 0, p));

        /// <summary>Variance of all elements.</summary>
        public unsafe Tensor var(bool unbiased = true) => Wrap(Native.ets_var(HandleChecked, null, 0, unbiased ? 1 : 0, 0, 1));
        /// <summary>Standard deviation of all elements.</summary>
        public unsafe Tensor std(bool unbiased = true) => Wrap(Native.ets_std(HandleChecked, null, 0, unbiased ? 1 : 0, 0, 1));
        /// <summary>Variance over dimensions.</summary>
        public unsafe Tensor var(long[] dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null)
        {
            fixed (long* p = dimensions) return Cast(Wrap(Native.ets_var(HandleChecked, p, dimensions.Length, unbiased ? 1 : 0, keepdim ? 1 : 0, 0)), type);
        }
        /// <summary>Standard deviation over dimensions.</summary>
        public unsafe Tensor std(long[] dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null)
        {
            fixed (long* p = dimensions) return Cast(Wrap(Native.ets_std(HandleChecked, p, dimensions.Length, unbiased ? 1 : 0, keepdim ? 1 : 0, 0)), type);
        }
        /// <summary>Variance over one dimension.</summary>
        public Tensor var(long dim, bool unbiased = true, bool keepdim = false, ScalarType? type = null) => var(new[] { dim }, unbiased, keepdim, type);
        /// <summary>Standard deviation over one dimension.</summary>
        public Tensor std(long dim, bool unbiased = true, bool keepdim = false, ScalarType? type = null) => std(new[] { dim }, unbiased, keepdim, type);

        private static Tensor Cast(Tensor t, ScalarType? type)
        {
            if (type is null || t.dtype == type.Value) return t;
            var r = t.to_type(type.Value);
            t.Dispose();
            return r;
        }

        /// <summary>The k largest (or smallest) elements along a dimension and their positions.</summary>
        public (Tensor values, Tensor indexes) topk(int k, int dim = -1, bool largest = true, bool sorted = true)
        {
            var rc = Native.ets_topk(HandleChecked, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i);
            return WrapPair(rc, v, i);
        }

        /// <summary>Sorts along a dimension; returns the sorted values and their original positions.</summary>
        public (Tensor Values, Tensor Indices) sort(long dim = -1, bool descending = false, bool stable = false)
        {
            var rc = Native.ets_sort(HandleChecked, dim, descending ? 1 : 0, stable ? 1 : 0, out var v, out var i);
            return WrapPair(rc, v, i);
        }

        /// <summary>The positions that sort the tensor along a dimension.</summary>
        public Tensor argsort(long dim = -1, bool descending = false) => Wrap(Native.ets_argsort(HandleChecked, dim, descending ? 1 : 0));
    }
}
