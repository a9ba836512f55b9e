using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>Neural-network building blocks, with TorchSharp's names.</summary>
    public static partial class nn
    {
        /// <summary>How a loss reduces its per-element values.</summary>
        public enum Reduction : long
        {
            /// <summary>No reduction: one value per element.</summary>
            None = 0,
            /// <summary>The mean.</summary>
            Mean = 1,
            /// <summary>The sum.</summary>
            Sum = 2,
        }

        /// <summary>Stateless functions behind the layers.</summary>
        public static partial class functional
        {
            private static unsafe Tensor Pair(long[]? values, long fallback, string name, Func<IntPtr, TensorHandle> call)
            {
                var v = Expand2(values, fallback, name);
                fixed (long* p = v) return Tensor.Wrap(call((IntPtr)p));
            }

            internal static long[] Expand2(long[]? values, long fallback, string name)
            {
                if (values is null || values.Length == 0) return new[] { fallback, fallback };
                if (values.Length == 1) return new[] { values[0], values[0] };
                if (values.Length == 2) return values;
                throw new ArgumentException($"'{name}' must have 1 or 2 values for a 2-D operation, got {values.Length}.", name);
            }

            /// <summary>y = x Wᵀ + b.</summary>
            public static Tensor linear(Tensor input, Tensor weights, Tensor? bias = null)
            {
                var r = Tensor.Wrap(Native.ets_linear(input.HandleChecked, weights.HandleChecked, Tensor.RawOrZero(bias)));
                GC.KeepAlive(bias);
                return r;
            }

            /// <summary>2-D convolution over an NCHW input.</summary>
            public static unsafe Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? strides = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
            {
                if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "conv2d: groups must be at least 1.");
                var s = Expand2(strides, 1, nameof(strides));
                var p = Expand2(padding, 0, nameof(padding));
                var d = Expand2(dilation, 1, nameof(dilation));
                fixed (long* ps = s) fixed (long* pp = p) fixed (long* pd = d)
                {
                    var r = Tensor.Wrap(Native.ets_conv2d(input.HandleChecked, weight.HandleChecked, Tensor.RawOrZero(bias), ps, pp, pd, groups));
                    GC.KeepAlive(bias);
                    return r;
                }
            }

            /// <summary>1-D convolution over an NCL input.</summary>
            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long? stride = null, long? padding = null, long? dilation = null, long groups = 1)
            {
                var r = Tensor.Wrap(Native.ets_conv1d(input.HandleChecked, weight.HandleChecked, Tensor.RawOrZero(bias), stride ?? 1, padding ?? 0, dilation ?? 1, groups));
                GC.KeepAlive(bias);
                return r;
            }

            /// <summary>Batch normalization (training mode updates the running statistics in place).</summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
            {
                var r = Tensor.Wrap(Native.ets_batch_norm(input.HandleChecked, Tensor.RawOrZero(running_mean), Tensor.RawOrZero(running_var), Tensor.RawOrZero(weight), Tensor.RawOrZero(bias), training ? 1 : 0, momentum, eps));
                GC.KeepAlive(running_mean);
                GC.KeepAlive(running_var);
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                return r;
            }

            /// <summary>Layer normalization over the trailing <paramref name="normalized_shape"/>.</summary>
            public static unsafe Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-05)
            {
                ArgumentNullException.ThrowIfNull(normalized_shape);
                fixed (long* p = normalized_shape)
                {
                    var r = Tensor.Wrap(Native.ets_layer_norm(input.HandleChecked, p, normalized_shape.Length, Tensor.RawOrZero(weight), Tensor.RawOrZero(bias), eps));
                    GC.KeepAlive(weight);
                    GC.KeepAlive(bias);
                    return r;
                }
            }

            /// <summary>Group normalization.</summary>
            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-05)
            {
                var r = Tensor.Wrap(Native.ets_group_norm(input.HandleChecked, num_groups, Tensor.RawOrZero(weight), Tensor.RawOrZero(bias), eps));
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                return r;
            }

            /// <summary>Adaptive average pooling to a fixed output size.</summary>
            public static Tensor adaptive_avg_pool2d(Tensor input, long[] output_size)
                => Pair(output_size, 1, nameof(output_size), p => { unsafe { return Native.ets_adaptive_avg_pool2d(input.HandleChecked, (long*)p); } });

            /// <summary>Adaptive average pooling to a square output size.</summary>
            public static Tensor adaptive_avg_pool2d(Tensor input, long output_size) => adaptive_avg_pool2d(input, new[] { output_size });

            /// <summary>Adaptive average pooling to a fixed (height, width) output size.</summary>
            public static Tensor adaptive_avg_pool2d(Tensor input, (long, long) output_size) => adaptive_avg_pool2d(input, new[] { output_size.Item1, output_size.Item2 });

            /// <summary>2-D max pooling.</summary>
            public static unsafe Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? strides = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
            {
                var k = Expand2(kernel_size, 1, nameof(kernel_size));
                var s = strides is null || strides.Length == 0 ? k : Expand2(strides, 1, nameof(strides));
                var p = Expand2(padding, 0, nameof(padding));
                var d = Expand2(dilation, 1, nameof(dilation));
                fixed (long* pk = k) fixed (long* ps = s) fixed (long* pp = p) fixed (long* pd = d)
                    return Tensor.Wrap(Native.ets_max_pool2d(input.HandleChecked, pk, ps, pp, pd, ceil_mode ? 1 : 0));
            }

            /// <summary>2-D average pooling.</summary>
            public static unsafe Tensor avg_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
            {
                var k = Expand2(kernel_size, 1, nameof(kernel_size));
                var s = stride is null || stride.Length == 0 ? k : Expand2(stride, 1, nameof(stride));
                var p = Expand2(padding, 0, nameof(padding));
                fixed (long* pk = k) fixed (long* ps = s) fixed (long* pp = p)
                    return Tensor.Wrap(Native.ets_avg_pool2d(input.HandleChecked, pk, ps, pp, ceil_mode ? 1 : 0, count_include_pad ? 1 : 0, divisor_override ?? 0));
            }

            /// <summary>2-D max pooling with a square window (the stride defaults to the window size).</summary>
            public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long? padding = null, long? dilation = null, bool ceil_mode = false)
                => max_pool2d(input, new[] { kernel_size }, new[] { stride ?? kernel_size }, new[] { padding ?? 0 }, new[] { dilation ?? 1 }, ceil_mode);

            /// <summary>2-D max pooling with a (height, width) window (the stride defaults to the window size).</summary>
            public static Tensor max_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, bool ceil_mode = false)
            {
                var s = stride ?? kernel_size;
                var p = padding ?? (0, 0);
                var d = dilation ?? (1, 1);
                return max_pool2d(input, new[] { kernel_size.Item1, kernel_size.Item2 }, new[] { s.Item1, s.Item2 }, new[] { p.Item1, p.Item2 }, new[] { d.Item1, d.Item2 }, ceil_mode);
            }

            /// <summary>2-D average pooling with a square window (the stride defaults to the window size).</summary>
            public static Tensor avg_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
                => avg_pool2d(input, new[] { kernel_size }, new[] { stride ?? kernel_size }, new[] { padding }, ceil_mode, count_include_pad, divisor_override);

            /// <summary>2-D average pooling with a (height, width) window (the stride defaults to the window size).</summary>
            public static Tensor avg_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
            {
                var s = stride ?? kernel_size;
                var p = padding ?? (0, 0);
                return avg_pool2d(input, new[] { kernel_size.Item1, kernel_size.Item2 }, new[] { s.Item1, s.Item2 }, new[] { p.Item1, p.Item2 }, ceil_mode, count_include_pad, divisor_override);
            }

            /// <summary>Zeroes elements with probability p during training, scaling the rest by 1/(1-p).</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true, bool inplace = false)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout: p must be in [0, 1].");
                if (!inplace) return Tensor.Wrap(Native.ets_dropout(input.HandleChecked, p, training ? 1 : 0));
                Native.Check(Native.ets_dropout_(input.HandleChecked, p, training ? 1 : 0));
                return input;
            }

            /// <summary>Rectified linear unit.</summary>
            public static Tensor relu(Tensor x, bool inplace = false) => inplace ? x.relu_() : x.relu();

            /// <summary>Gaussian error linear unit (exact).</summary>
            public static Tensor gelu(Tensor x) => Tensor.Wrap(Native.ets_gelu(x.HandleChecked, 0));

            /// <summary>Gaussian error linear unit (exact).</summary>
            public static Tensor gelu(Tensor x, bool inplace) => gelu(x);

            /// <summary>Sigmoid linear unit (swish).</summary>
            public static Tensor silu(Tensor x, bool inplace = false)
            {
                if (!inplace) return Tensor.Wrap(Native.ets_silu(x.HandleChecked));
                Native.Check(Native.ets_silu_(x.HandleChecked));
                return x;
            }

            /// <summary>Leaky rectified linear unit.</summary>
            public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01, bool inplace = false)
            {
                if (!inplace) return Tensor.Wrap(Native.ets_leaky_relu(input.HandleChecked, negative_slope));
                Native.Check(Native.ets_leaky_relu_(input.HandleChecked, negative_slope));
                return input;
            }

            /// <summary>Logistic sigmoid.</summary>
            public static Tensor sigmoid(Tensor x) => x.sigmoid();

            /// <summary>Logistic sigmoid, optionally in place.</summary>
            public static Tensor sigmoid(Tensor x, bool inplace) => inplace ? x.sigmoid_() : x.sigmoid();

            /// <summary>Hyperbolic tangent, optionally in place.</summary>
            public static Tensor tanh(Tensor x, bool inplace = false) => inplace ? x.tanh_() : x.tanh();

            /// <summary>Softmax along a dimension.</summary>
            public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);

            /// <summary>Log-softmax along a dimension.</summary>
            public static Tensor log_softmax(Tensor x, long dim) => x.log_softmax(dim);

            /// <summary>Rows of <paramref name="weight"/> selected by the indices in <paramref name="x"/>.</summary>
            public static Tensor embedding(Tensor x, Tensor weight, long? padding_idx = null) => Tensor.Wrap(Native.ets_embedding(x.HandleChecked, weight.HandleChecked, padding_idx ?? -1));

            /// <summary>One-hot encoding of class indices (num_classes = -1 infers it).</summary>
            public static Tensor one_hot(Tensor x, long num_classes = -1) => Tensor.Wrap(Native.ets_one_hot(x.HandleChecked, num_classes));

            /// <summary>
            /// Cross-entropy of logits against class indices (int64) or class probabilities (float),
            /// with optional class weights, ignored index and label smoothing.
            /// </summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0)
            {
                if (label_smoothing < 0 || label_smoothing > 1)
                    throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "cross_entropy: label_smoothing must be in [0, 1].");
                var r = Tensor.Wrap(Native.ets_cross_entropy(input.HandleChecked, target.HandleChecked, Tensor.RawOrZero(weight), ignore_index, (long)reduction, label_smoothing));
                GC.KeepAlive(weight);
                return r;
            }

            /// <summary>Negative log-likelihood of log-probabilities against class indices (targets equal to -100 are ignored).</summary>
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
            {
                var r = Tensor.Wrap(Native.ets_nll_loss(input.HandleChecked, target.HandleChecked, Tensor.RawOrZero(weight), -100, (long)reduction));
                GC.KeepAlive(weight);
                return r;
            }

            /// <summary>Mean squared error.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => Tensor.Wrap(Native.ets_mse_loss(input.HandleChecked, target.HandleChecked, (long)reduction));

            /// <summary>
            /// Kullback–Leibler divergence of log-probabilities <paramref name="input"/> from <paramref name="target"/>.
            /// Note TorchSharp's default <c>log_target = true</c> (PyTorch's is false).
            /// </summary>
            public static Tensor kl_div(Tensor input, Tensor target, bool log_target = true, Reduction reduction = Reduction.Mean)
                => Tensor.Wrap(Native.ets_kl_div(input.HandleChecked, target.HandleChecked, (long)reduction, log_target ? 1 : 0));

            /// <summary>Binary cross-entropy on logits.</summary>
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null)
            {
                var r = Tensor.Wrap(Native.ets_binary_cross_entropy_with_logits(input.HandleChecked, target.HandleChecked, Tensor.RawOrZero(weight), Tensor.RawOrZero(pos_weights), (long)reduction));
                GC.KeepAlive(weight);
                GC.KeepAlive(pos_weights);
                return r;
            }
        }
    }
}
