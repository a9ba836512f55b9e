using System;
using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        // ---- embedding --------------------------------------------------------------------------

        /// <summary>A lookup table initialised from N(0, 1), with the padding row (if any) zeroed, as PyTorch.</summary>
        /// <param name="num_embeddings">The number of rows (the vocabulary size).</param>
        /// <param name="embedding_dims">The size of each row.</param>
        /// <param name="padding_idx">A row that stays zero and gets no gradient (negative counts from the end).</param>
        /// <param name="max_norm">Rows looked up are renormalised in place to at most this norm.</param>
        /// <param name="norm_type">The p of the norm for <paramref name="max_norm"/>.</param>
        /// <param name="scale_grad_by_freq">Scale gradients by the inverse frequency of the indices in the batch.</param>
        /// <param name="sparse">Produce a sparse gradient.</param>
        /// <param name="device">Where the table lives.</param>
        /// <param name="dtype">Its floating-point type.</param>
        public static Embedding Embedding(long num_embeddings, long embedding_dims, long? padding_idx = null, double? max_norm = null, double norm_type = 2.0, bool scale_grad_by_freq = false, bool sparse = false, Device? device = null, ScalarType? dtype = null)
        {
            if (num_embeddings <= 0) throw new ArgumentException($"Embedding: num_embeddings is {num_embeddings}; expected a positive number.", nameof(num_embeddings));
            if (embedding_dims <= 0) throw new ArgumentException($"Embedding: embedding_dims is {embedding_dims}; expected a positive number.", nameof(embedding_dims));
            var weight = Owned.Param(empty(num_embeddings, embedding_dims, dtype, device));
            Embedding module;
            try
            {
                module = new Embedding(weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse);
            }
            catch
            {
                weight.Dispose();
                throw;
            }
            init.normal_(weight);
            if (padding_idx is { } idx)
            {
                using (no_grad())
                using (var row = weight[idx < 0 ? idx + num_embeddings : idx]) row.zero_();
            }
            return module;
        }

        /// <summary>
        /// A lookup table over <paramref name="embeddings"/> [num_embeddings, embedding_dim]. The
        /// weight shares storage with <paramref name="embeddings"/>, which stays valid.
        /// </summary>
        /// <param name="embeddings">The table.</param>
        /// <param name="freeze">Keep the table fixed (no gradient).</param>
        /// <param name="padding_idx">A row that gets no gradient (negative counts from the end).</param>
        /// <param name="max_norm">Rows looked up are renormalised in place to at most this norm.</param>
        /// <param name="norm_type">The p of the norm for <paramref name="max_norm"/>.</param>
        /// <param name="scale_grad_by_freq">Scale gradients by the inverse frequency of the indices in the batch.</param>
        /// <param name="sparse">Produce a sparse gradient.</param>
        /// <param name="device">Where the table lives (moved there when given).</param>
        /// <param name="dtype">Its floating-point type (converted when given).</param>
        public static Embedding Embedding_from_pretrained(Tensor embeddings, bool freeze = true, long? padding_idx = null, double? max_norm = null, double norm_type = 2.0, bool scale_grad_by_freq = false, bool sparse = false, Device? device = null, ScalarType? dtype = null)
        {
            ArgumentNullException.ThrowIfNull(embeddings);
            if (embeddings.dim() != 2)
                throw new ArgumentException($"Embedding_from_pretrained: embeddings has shape [{string.Join(", ", embeddings.shape)}]; expected 2-D [num_embeddings, embedding_dim].", nameof(embeddings));
            var data = embeddings.detach();
            if (dtype.HasValue || device is not null)
            {
                using var old = data;
                data = device is null ? data.to(dtype!.Value) : dtype.HasValue ? data.to(dtype.Value, device) : data.to(device);
            }
            var weight = Owned.Param(data, requires_grad: !freeze);
            try
            {
                return new Embedding(weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse);
            }
            catch
            {
                weight.Dispose();
                throw;
            }
        }

        // ---- activations, dropout, shape ---------------------------------------------------------

        /// <summary>max(0, x).</summary>
        /// <param name="inplace">Overwrite the input.</param>
        public static ReLU ReLU(bool inplace = false) => new(inplace);

        /// <summary>Gaussian error linear unit (exact).</summary>
        public static GELU GELU() => new(Modules.GELU.Approximate.none, false);

        /// <summary>Gaussian error linear unit (exact).</summary>
        /// <param name="inplace">Overwrite the input.</param>
        public static GELU GELU(bool inplace) => new(Modules.GELU.Approximate.none, inplace);

        /// <summary>Gaussian error linear unit, exact or tanh-approximated.</summary>
        /// <param name="approximate">none (exact) or tanh.</param>
        /// <param name="inplace">Overwrite the input.</param>
        public static GELU GELU(GELU.Approximate approximate, bool inplace = false) => new(approximate, inplace);

        /// <summary>Sigmoid linear unit x·σ(x).</summary>
        public static SiLU SiLU() => new(false);

        /// <summary>Sigmoid linear unit x·σ(x).</summary>
        /// <param name="inplace">Overwrite the input.</param>
        public static SiLU SiLU(bool inplace) => new(inplace);

        /// <summary>Hyperbolic tangent.</summary>
        public static Tanh Tanh() => new(false);

        /// <summary>Hyperbolic tangent.</summary>
        /// <param name="inplace">Overwrite the input.</param>
        public static Tanh Tanh(bool inplace = false) => new(inplace);

        /// <summary>Logistic sigmoid.</summary>
        public static Sigmoid Sigmoid() => new(false);

        /// <summary>Logistic sigmoid.</summary>
        /// <param name="inplace">Overwrite the input.</param>
        public static Sigmoid Sigmoid(bool inplace) => new(inplace);

        /// <summary>Softmax along <paramref name="dim"/>.</summary>
        public static Softmax Softmax(long dim) => new(dim);

        /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
        public static LogSoftmax LogSoftmax(long dim) => new(dim);

        /// <summary>Returns its input.</summary>
        public static Identity Identity() => new();

        /// <summary>Zeroes elements with probability <paramref name="p"/> in training mode.</summary>
        /// <param name="p">The probability of zeroing, in [0, 1].</param>
        /// <param name="inplace">Overwrite the input.</param>
        public static Dropout Dropout(double p = 0.5, bool inplace = false) => new(p, inplace);

        /// <summary>Flattens dimensions <paramref name="start_dim"/> to <paramref name="end_dim"/>.</summary>
        public static Flatten Flatten(long start_dim = 1, long end_dim = -1) => new(start_dim, end_dim);

        // ---- pooling ----------------------------------------------------------------------------

        /// <summary>2-D max pooling with a square window.</summary>
        /// <param name="kernel_size">The window size.</param>
        /// <param name="stride">The step (default: the window size).</param>
        /// <param name="padding">Implicit negative-infinity padding (at most half the window).</param>
        /// <param name="dilation">The spacing of window elements.</param>
        /// <param name="ceil_mode">Round the output size up.</param>
        public static MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long? padding = null, long? dilation = null, bool ceil_mode = false)
            => new(new[] { kernel_size, kernel_size }, stride.HasValue ? new[] { stride.Value, stride.Value } : null, padding.HasValue ? new[] { padding.Value, padding.Value } : null,
                dilation.HasValue ? new[] { dilation.Value, dilation.Value } : null, ceil_mode);

        /// <summary>2-D max pooling with a (height, width) window.</summary>
        /// <param name="kernel_size">The window size.</param>
        /// <param name="stride">The step (default: the window size).</param>
        /// <param name="padding">Implicit negative-infinity padding (at most half the window).</param>
        /// <param name="dilation">The spacing of window elements.</param>
        /// <param name="ceil_mode">Round the output size up.</param>
        public static MaxPool2d MaxPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, bool ceil_mode = false)
            => new(Two(kernel_size), stride.HasValue ? Two(stride.Value) : null, padding.HasValue ? Two(padding.Value) : null, dilation.HasValue ? Two(dilation.Value) : null, ceil_mode);

        /// <summary>2-D max pooling with sizes given as arrays of 1 or 2 values.</summary>
        /// <param name="kernel_size">The window size.</param>
        /// <param name="stride">The step (default: the window size).</param>
        /// <param name="padding">Implicit negative-infinity padding (at most half the window).</param>
        /// <param name="dilation">The spacing of window elements.</param>
        /// <param name="ceil_mode">Round the output size up.</param>
        public static MaxPool2d MaxPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
            => new(kernel_size, stride, padding, dilation, ceil_mode);

        /// <summary>2-D average pooling with sizes given as arrays of 1 or 2 values.</summary>
        /// <param name="kernel_size">The window size.</param>
        /// <param name="stride">The step (default: the window size).</param>
        /// <param name="padding">Implicit zero padding (at most half the window).</param>
        /// <param name="ceil_mode">Round the output size up.</param>
        /// <param name="count_include_pad">Count padded zeros in the average.</param>
        /// <param name="divisor_override">Divide by this instead of the window size.</param>
        public static AvgPool2d AvgPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
            => new(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);

        /// <summary>2-D average pooling with a (height, width) window.</summary>
        /// <param name="kernel_size">The window size.</param>
        /// <param name="stride">The step (default: the window size).</param>
        /// <param name="padding">Implicit zero padding (at most half the window).</param>
        /// <param name="ceil_mode">Round the output size up.</param>
        /// <param name="count_include_pad">Count padded zeros in the average.</param>
        /// <param name="divisor_override">Divide by this instead of the window size.</param>
        public static AvgPool2d AvgPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
            => new(Two(kernel_size), stride.HasValue ? Two(stride.Value) : null, padding.HasValue ? Two(padding.Value) : null, ceil_mode, count_include_pad, divisor_override);

        /// <summary>2-D average pooling with a square window.</summary>
        /// <param name="kernel_size">The window size.</param>
        /// <param name="stride">The step (default: the window size).</param>
        /// <param name="padding">Implicit zero padding (at most half the window).</param>
        /// <param name="ceil_mode">Round the output size up.</param>
        /// <param name="count_include_pad">Count padded zeros in the average.</param>
        /// <param name="divisor_override">Divide by this instead of the window size.</param>
        public static AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
            => new(new[] { kernel_size, kernel_size }, stride.HasValue ? new[] { stride.Value, stride.Value } : null, padding.HasValue ? new[] { padding.Value, padding.Value } : null,
                ceil_mode, count_include_pad, divisor_override);

        /// <summary>Average pooling to a fixed (height, width), given as 1 or 2 values.</summary>
        public static AdaptiveAvgPool2d AdaptiveAvgPool2d(long[] output_size) => new(output_size);

        /// <summary>Average pooling to a fixed (height, width).</summary>
        public static AdaptiveAvgPool2d AdaptiveAvgPool2d((long, long) output_size) => new(Two(output_size));

        /// <summary>Average pooling to a fixed square size.</summary>
        public static AdaptiveAvgPool2d AdaptiveAvgPool2d(long output_size) => new(new[] { output_size, output_size });

        private static long[] Two((long, long) v) => new[] { v.Item1, v.Item2 };
    }
}
