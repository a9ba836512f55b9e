using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor cat(IList<Tensor> tensors, long dim = 0) => JoinImpl(tensors?.ToArray(), dim, stack: false);
    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor cat(Tensor[] tensors, long dim = 0) => JoinImpl(tensors, dim, stack: false);
    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor cat(ReadOnlySpan<Tensor> tensors, long dim = 0) => JoinImpl(tensors.ToArray(), dim, stack: false);
    /// <summary>Alias of <see cref="cat(IList{Tensor}, long)"/>.</summary>
    public static Tensor concatenate(IList<Tensor> tensors, long axis = 0) => cat(tensors, axis);
    /// <summary>Alias of <see cref="cat(Tensor[], long)"/>.</summary>
    public static Tensor concatenate(Tensor[] tensors, long axis = 0) => cat(tensors, axis);
    /// <summary>Joins tensors of equal shape along a new dimension.</summary>
    public static Tensor stack(IEnumerable<Tensor> tensors, long dim = 0) => JoinImpl(tensors?.ToArray(), dim, stack: true);

    private static unsafe Tensor JoinImpl(Tensor[]? tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException($"{(stack ? "stack" : "cat")}: expected a non-empty list of tensors.", nameof(tensors));
        var raw = Tensor.Raw(tensors);
        fixed (IntPtr* p = raw)
        {
            var r = Tensor.Wrap(stack ? Native.ets_stack(p, raw.Length, dim) : Native.ets_cat(p, raw.Length, dim));
            GC.KeepAlive(tensors);
            return r;
        }
    }

    /// <summary>Splits into near-equal pieces.</summary>
    public static Tensor[] chunk(Tensor input, long chunks, long dim = 0) => input.chunk(chunks, dim);
    /// <summary>Splits into pieces of the given sizes.</summary>
    public static Tensor[] split(Tensor tensor, long[] split_size_or_sections, long dim = 0L) => tensor.split(split_size_or_sections, dim);
    /// <summary>Reorders dimensions.</summary>
    public static Tensor permute(Tensor input, params long[] permutation) => input.permute(permutation);
    /// <summary>Reshapes.</summary>
    public static Tensor reshape(Tensor input, params long[] shape) => input.reshape(shape);
    /// <summary>Swaps two dimensions.</summary>
    public static Tensor transpose(Tensor input, long dim0, long dim1) => input.transpose(dim0, dim1);
    /// <summary>Inserts a dimension of size 1.</summary>
    public static Tensor unsqueeze(Tensor input, long dim) => input.unsqueeze(dim);
    /// <summary>Removes dimensions of size 1.</summary>
    public static Tensor squeeze(Tensor input, long? dim = null) => input.squeeze(dim);
    /// <summary>Flattens a range of dimensions.</summary>
    public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1) => input.flatten(start_dim, end_dim);
    /// <summary>Elements of <paramref name="x"/> where <paramref name="condition"/> holds, else of <paramref name="y"/>.</summary>
    public static Tensor where(Tensor condition, Tensor x, Tensor y) => Tensor.Wrap(Native.ets_where(condition.HandleChecked, x.HandleChecked, y.HandleChecked));
    /// <summary>The coordinates of the true (non-zero) elements, one tensor per dimension.</summary>
    public static Tensor[] where(Tensor condition) => Tensor.WrapList(Native.ets_nonzero_tuple(condition.HandleChecked, out var n), n);
    /// <summary>A copy with its own storage.</summary>
    public static Tensor clone(Tensor input) => input.clone();

    /// <summary>Einstein summation.</summary>
    public static unsafe Tensor einsum(string equation, params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(equation);
        var raw = Tensor.Raw(tensors);
        fixed (IntPtr* p = raw)
        {
            var r = Tensor.Wrap(Native.ets_einsum(equation, p, raw.Length));
            GC.KeepAlive(tensors);
            return r;
        }
    }

    /// <summary>Matrix product with broadcasting.</summary>
    public static Tensor matmul(Tensor input, Tensor target) => input.matmul(target);
    /// <summary>Matrix product.</summary>
    public static Tensor mm(Tensor input, Tensor target) => input.mm(target);
    /// <summary>Batched matrix product.</summary>
    public static Tensor bmm(Tensor input, Tensor batch2) => input.bmm(batch2);
    /// <summary>Softmax along a dimension.</summary>
    public static Tensor softmax(Tensor input, int dim, ScalarType? dtype = null) => input.softmax(dim, dtype);
    /// <summary>Whether the two tensors are close everywhere.</summary>
    public static bool allclose(Tensor tensor, Tensor target, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false) => tensor.allclose(target, rtol, atol, equal_nan);
    /// <summary>Element-wise equality.</summary>
    public static Tensor eq(Tensor left, Tensor right) => left.eq(right);
    /// <summary>Element-wise test for a finite value.</summary>
    public static Tensor isfinite(Tensor tensor) => tensor.isfinite();
    /// <summary>Element-wise test for NaN.</summary>
    public static Tensor isnan(Tensor input) => input.isnan();
    /// <summary>Element-wise maximum.</summary>
    public static Tensor maximum(Tensor input, Tensor other) => input.maximum(other);
    /// <summary>Element-wise minimum.</summary>
    public static Tensor minimum(Tensor input, Tensor other) => input.minimum(other);
    /// <summary>Sorts along a dimension.</summary>
    public static (Tensor values, Tensor indices) sort(Tensor input, long dim = -1, bool descending = false, bool stable = false) => input.sort(dim, descending, stable);
    /// <summary>The k largest elements.</summary>
    public static (Tensor values, Tensor indices) topk(Tensor tensor, int k, int dim = -1, bool largest = true, bool sorted = true) => tensor.topk(k, dim, largest, sorted);
    /// <summary>The 2-norm of all elements.</summary>
    public static Tensor norm(Tensor input) => input.norm();
    /// <summary>The p-norm of all elements.</summary>
    public static Tensor norm(Tensor input, float p = 2.0f) => input.norm(p);
    /// <summary>The p-norm along a dimension.</summary>
    public static Tensor norm(Tensor input, int dimension, bool keepdim = false, float p = 2.0f) => input.norm(dimension, keepdim, p);
    /// <summary>Absolute value.</summary>
    public static Tensor abs(Tensor input) => input.abs();
    /// <summary>Addition.</summary>
    public static Tensor add(Tensor left, Tensor right) => left.add(right);
    /// <summary>Addition of a scalar.</summary>
    public static Tensor add(Tensor left, Scalar right) => left.add(right);
    /// <summary>left + alpha × right.</summary>
    public static Tensor add(Tensor left, Tensor right, Scalar alpha) => left.add(right, alpha);
    /// <summary>left + alpha × right.</summary>
    public static Tensor add(Tensor left, Scalar right, Scalar alpha) => left.add(right, alpha);
    /// <summary>Subtraction.</summary>
    public static Tensor sub(Tensor left, Tensor right) => left.sub(right);
    /// <summary>Subtraction of a scalar.</summary>
    public static Tensor sub(Tensor left, Scalar right) => left.sub(right);
    /// <summary>Multiplication.</summary>
    public static Tensor mul(Tensor left, Tensor right) => left.mul(right);
    /// <summary>Multiplication by a scalar.</summary>
    public static Tensor mul(Tensor left, Scalar right) => left.mul(right);
    /// <summary>Division.</summary>
    public static Tensor div(Tensor left, Tensor right, RoundingMode rounding_mode = RoundingMode.None) => left.div(right, rounding_mode);
    /// <summary>Division by a scalar.</summary>
    public static Tensor div(Tensor left, Scalar right, RoundingMode rounding_mode = RoundingMode.None) => left.div(right, rounding_mode);
    /// <summary>Power.</summary>
    public static Tensor pow(Tensor left, Tensor exponent) => left.pow(exponent);
    /// <summary>Power with a scalar exponent.</summary>
    public static Tensor pow(Tensor left, Scalar exponent) => left.pow(exponent);
    /// <summary>Exponential.</summary>
    public static Tensor exp(Tensor input) => input.exp();
    /// <summary>Natural logarithm.</summary>
    public static Tensor log(Tensor input) => input.log();
    /// <summary>Square root.</summary>
    public static Tensor sqrt(Tensor input) => input.sqrt();
    /// <summary>Square.</summary>
    public static Tensor square(Tensor input) => input.square();
    /// <summary>Sine.</summary>
    public static Tensor sin(Tensor input) => input.sin();
    /// <summary>Cosine.</summary>
    public static Tensor cos(Tensor input) => input.cos();
    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor tanh(Tensor input) => input.tanh();
    /// <summary>Logistic sigmoid.</summary>
    public static Tensor sigmoid(Tensor input) => input.sigmoid();
    /// <summary>Linear interpolation.</summary>
    public static Tensor lerp(Tensor input, Tensor end, Tensor weight) => input.lerp(end, weight);
    /// <summary>Limits the elements to [min, max].</summary>
    public static Tensor clamp(Tensor input, Scalar? min = null, Scalar? max = null) => input.clamp(min, max);
    /// <summary>Limits the elements element-wise to [min, max].</summary>
    public static Tensor clamp(Tensor input, Tensor? min = null, Tensor? max = null) => input.clamp(min, max);
    /// <summary>Flat index of the largest element.</summary>
    public static Tensor argmax(Tensor input) => input.argmax();
    /// <summary>Index of the largest element along a dimension.</summary>
    public static Tensor argmax(Tensor input, long dim, bool keepdim = false) => input.argmax(dim, keepdim);
    /// <summary>Whether all elements are true.</summary>
    public static Tensor all(Tensor input) => input.all();
    /// <summary>Whether all elements along a dimension are true.</summary>
    public static Tensor all(Tensor input, long dim, bool keepdim = false) => input.all(dim, keepdim);
    /// <summary>Whether any element is true.</summary>
    public static Tensor any(Tensor input) => input.any();
    /// <summary>Whether any element along a dimension is true.</summary>
    public static Tensor any(Tensor input, long dim, bool keepdim = false) => input.any(dim, keepdim);
    /// <summary>Largest element.</summary>
    public static Tensor max(Tensor input) => input.max();
    /// <summary>Element-wise maximum.</summary>
    public static Tensor max(Tensor input, Tensor other) => input.max(other);
    /// <summary>Largest elements along a dimension.</summary>
    public static (Tensor values, Tensor indexes) max(Tensor input, long dim, bool keepdim = false) => input.max(dim, keepdim);
    /// <summary>Smallest element.</summary>
    public static Tensor min(Tensor input) => input.min();
    /// <summary>Mean of all elements.</summary>
    public static Tensor mean(Tensor input) => input.mean();
    /// <summary>Mean over dimensions.</summary>
    public static Tensor mean(Tensor input, long[] dimensions, bool keepdim = false, ScalarType? type = null) => input.mean(dimensions, keepdim, type);
    /// <summary>Sum of all elements.</summary>
    public static Tensor sum(Tensor input, ScalarType? type = null) => input.sum(type);
    /// <summary>Sum over dimensions.</summary>
    public static Tensor sum(Tensor input, ReadOnlySpan<long> dim, bool keepdim = false, ScalarType? type = null) => input.sum(dim, keepdim, type);
    /// <summary>Sum over a dimension.</summary>
    public static Tensor sum(Tensor input, long dim, bool keepdim = false, ScalarType? type = null) => input.sum(dim, keepdim, type);
    /// <summary>Bernoulli samples with the input as probabilities.</summary>
    public static Tensor bernoulli(Tensor input, Generator? generator = null) => input.bernoulli(generator);
    /// <summary>Samples category indices with the input rows as weights.</summary>
    public static Tensor multinomial(Tensor input, long num_samples, bool replacement = false, Generator? generator = null)
        => Tensor.Wrap(Native.ets_multinomial(input.HandleChecked, num_samples, replacement ? 1 : 0, Generator.HandleOf(generator)));
    /// <summary>Samples from N(mean, std) element-wise.</summary>
    public static Tensor normal(Tensor mean, Tensor std, Generator? generator = null)
    {
        using var noise = mean.randn_like();
        return mean + noise * std;
    }

    /// <summary>Automatic differentiation with TorchSharp's names.</summary>
    public static partial class autograd
    {
        /// <summary>Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/> (not accumulated into .grad).</summary>
        public static unsafe IList<Tensor> grad(IList<Tensor> outputs, IList<Tensor> inputs, IList<Tensor>? grad_outputs = null, bool retain_graph = false, bool create_graph = false, bool allow_unused = false)
        {
            ArgumentNullException.ThrowIfNull(outputs);
            ArgumentNullException.ThrowIfNull(inputs);
            var outs = Tensor.Raw(outputs.ToArray());
            var ins = Tensor.Raw(inputs.ToArray());
            var gos = grad_outputs is null ? Array.Empty<IntPtr>() : grad_outputs.Select(Tensor.RawOrZero).ToArray();
            var result = new IntPtr[ins.Length];
            fixed (IntPtr* po = outs) fixed (IntPtr* pi = ins) fixed (IntPtr* pg = gos) fixed (IntPtr* pr = result)
                Native.Check(Native.ets_autograd_grad(po, outs.Length, pi, ins.Length, pg, gos.Length, retain_graph || create_graph ? 1 : 0, create_graph ? 1 : 0, allow_unused ? 1 : 0, pr));
            GC.KeepAlive(outputs);
            GC.KeepAlive(inputs);
            GC.KeepAlive(grad_outputs);
            return result.Select(h => h == IntPtr.Zero ? null! : new Tensor(new TensorHandle(h))).ToList();
        }

        /// <summary>Accumulates gradients of <paramref name="tensors"/> into the leaves' .grad.</summary>
        public static unsafe void backward(IList<Tensor> tensors, IList<Tensor>? grad_tensors = null, bool? retain_graph = null, bool create_graph = false, IList<Tensor>? inputs = null)
        {
            ArgumentNullException.ThrowIfNull(tensors);
            var ts = Tensor.Raw(tensors.ToArray());
            var gs = grad_tensors is null ? Array.Empty<IntPtr>() : grad_tensors.Select(Tensor.RawOrZero).ToArray();
            var ins = inputs is null ? Array.Empty<IntPtr>() : Tensor.Raw(inputs.ToArray());
            var retain = retain_graph.HasValue ? (retain_graph.Value ? 1 : 0) : (create_graph ? 1 : -1);
            fixed (IntPtr* pt = ts) fixed (IntPtr* pg = gs) fixed (IntPtr* pi = ins)
                Native.Check(Native.ets_backward(pt, ts.Length, pg, gs.Length, retain, create_graph ? 1 : 0, pi, ins.Length));
            GC.KeepAlive(tensors);
            GC.KeepAlive(grad_tensors);
            GC.KeepAlive(inputs);
        }

        /// <summary>Accumulates gradients of <paramref name="tensor"/> into the leaves' .grad.</summary>
        public static void backward(Tensor tensor, IList<Tensor>? grad_tensors = null, bool? retain_graph = null, bool create_graph = false, IList<Tensor>? inputs = null)
            => backward(new[] { tensor }, grad_tensors, retain_graph, create_graph, inputs);

        /// <summary>Accumulates gradients of <paramref name="tensor"/>, seeded with <paramref name="grad_tensor"/>.</summary>
        public static void backward(Tensor tensor, Tensor grad_tensor, bool? retain_graph = null, bool create_graph = false, IList<Tensor>? inputs = null)
            => backward(new[] { tensor }, new[] { grad_tensor }, retain_graph, create_graph, inputs);
    }
}
