using System;
using System.Linq;
using Efficient.Torch.Interop;
using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            // ---- activations -----------------------------------------------------------------

            /// <summary>Gaussian error linear unit, exact or with the tanh approximation.</summary>
            /// <param name="x">The input.</param>
            /// <param name="approximate"><see cref="Modules.GELU.Approximate.none"/> (exact, erf-based) or <see cref="Modules.GELU.Approximate.tanh"/>.</param>
            /// <param name="inplace">Overwrite <paramref name="x"/> and return it.</param>
            public static Tensor gelu(Tensor x, GELU.Approximate approximate, bool inplace = false)
            {
                var tanhApprox = approximate switch
                {
                    Modules.GELU.Approximate.none => 0,
                    Modules.GELU.Approximate.tanh => 1,
                    _ => throw new ArgumentException($"gelu: approximate is {approximate}; expected GELU.Approximate.none or GELU.Approximate.tanh.", nameof(approximate)),
                };
                if (!inplace) return Tensor.Wrap(Native.ets_gelu(x.HandleChecked, tanhApprox));
                Native.Check(Native.ets_gelu_(x.HandleChecked, tanhApprox));
                return x;
            }

            // ---- pooling overloads -------------------------------------------------------------

            /// <summary>2-D max pooling that also returns the flat index of each maximum within its plane.</summary>
            /// <param name="input">[N, C, H, W] or [C, H, W].</param>
            /// <param name="kernel_size">The window size (1 or 2 values).</param>
            /// <param name="strides">The step (default: the window size).</param>
            /// <param name="padding">Implicit negative-infinity padding (default 0).</param>
            /// <param name="dilation">The spacing of window elements (default 1).</param>
            /// <param name="ceil_mode">Round the output size up instead of down.</param>
            public static unsafe (Tensor output, Tensor indices) max_pool2d_with_indices(Tensor input, long[] kernel_size, long[]? strides = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
            {
                var k = Expand2(kernel_size, 1, nameof(kernel_size));
                var s = strides is null || strides.Length == 0 ? k : Expand2(strides, 1, nameof(strides));
                var p = Expand2(padding, 0, nameof(padding));
                var d = Expand2(dilation, 1, nameof(dilation));
                fixed (long* pk = k) fixed (long* ps = s) fixed (long* pp = p) fixed (long* pd = d)
                {
                    var rc = Native.ets_max_pool2d_with_indices(input.HandleChecked, pk, ps, pp, pd, ceil_mode ? 1 : 0, out var values, out var indices);
                    return Tensor.WrapPair(rc, values, indices);
                }
            }

            private static long[] Pair((long, long) v) => new[] { v.Item1, v.Item2 };

            // ---- padding, resampling, im2col ---------------------------------------------------

            /// <summary>
            /// Pads the trailing dimensions: <paramref name="pad"/> holds (left, right) pairs starting
            /// from the last dimension, as in PyTorch.
            /// </summary>
            /// <param name="input">The input.</param>
            /// <param name="pad">An even number of sizes, at most two per dimension of <paramref name="input"/>.</param>
            /// <param name="mode">Constant (or Zeros), Reflect, Replicate or Circular.</param>
            /// <param name="value">The fill value of <see cref="PaddingModes.Constant"/>.</param>
            public static Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
            {
                ArgumentNullException.ThrowIfNull(pad);
                return functional.pad(input, (ReadOnlySpan<long>)pad, mode, value);
            }

            /// <summary>Pads the trailing dimensions by (left, right) pairs starting from the last dimension.</summary>
            /// <param name="input">The input.</param>
            /// <param name="pad">An even number of sizes, at most two per dimension of <paramref name="input"/>.</param>
            /// <param name="mode">Constant (or Zeros), Reflect, Replicate or Circular.</param>
            /// <param name="value">The fill value of <see cref="PaddingModes.Constant"/>.</param>
            public static unsafe Tensor pad(Tensor input, ReadOnlySpan<long> pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
            {
                if (pad.Length == 0 || pad.Length % 2 != 0)
                    throw new ArgumentException($"pad: pad has {pad.Length} values; expected a positive, even number ((left, right) pairs from the last dimension).", nameof(pad));
                var dims = input.dim();
                if (pad.Length / 2 > dims)
                    throw new ArgumentException($"pad: pad has {pad.Length} values for a {dims}-D input; expected at most {2 * dims}.", nameof(pad));
                if (mode is < PaddingModes.Zeros or > PaddingModes.Constant)
                    throw new ArgumentException($"pad: mode is {mode}; expected one of {string.Join(", ", Enum.GetNames<PaddingModes>())}.", nameof(mode));
                fixed (long* p = pad) return Tensor.Wrap(Native.ets_pad(input.HandleChecked, p, pad.Length, (int)mode, value));
            }

            /// <summary>Pads the last dimension by (left, right).</summary>
            /// <param name="input">The input.</param>
            /// <param name="pad">(left, right).</param>
            /// <param name="mode">Constant (or Zeros), Reflect, Replicate or Circular.</param>
            /// <param name="value">The fill value of <see cref="PaddingModes.Constant"/>.</param>
            public static Tensor pad(Tensor input, (long, long) pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
                => functional.pad(input, new[] { pad.Item1, pad.Item2 }, mode, value);

            /// <summary>Pads the last two dimensions by (left, right, top, bottom).</summary>
            /// <param name="input">The input.</param>
            /// <param name="pad">(left, right, top, bottom).</param>
            /// <param name="mode">Constant (or Zeros), Reflect, Replicate or Circular.</param>
            /// <param name="value">The fill value of <see cref="PaddingModes.Constant"/>.</param>
            public static Tensor pad(Tensor input, (long, long, long, long) pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
                => functional.pad(input, new[] { pad.Item1, pad.Item2, pad.Item3, pad.Item4 }, mode, value);

            /// <summary>Pads both sides of the last two dimensions by <paramref name="pad"/>.</summary>
            /// <param name="input">The input.</param>
            /// <param name="pad">The size added on every side of the last two dimensions.</param>
            /// <param name="mode">Constant (or Zeros), Reflect, Replicate or Circular.</param>
            /// <param name="value">The fill value of <see cref="PaddingModes.Constant"/>.</param>
            public static Tensor pad(Tensor input, long pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
                => functional.pad(input, new[] { pad, pad, pad, pad }, mode, value);

            /// <summary>
            /// Resamples the spatial dimensions of [N, C, ...] to <paramref name="size"/> or by
            /// <paramref name="scale_factor"/> (exactly one of them).
            /// </summary>
            /// <param name="x">[N, C, L], [N, C, H, W] or [N, C, D, H, W].</param>
            /// <param name="size">The output spatial size (one value for every spatial dimension, or one for all).</param>
            /// <param name="scale_factor">The multiplier of the spatial size (one per spatial dimension, or one for all).</param>
            /// <param name="mode">The sampling algorithm.</param>
            /// <param name="align_corners">For the linear modes: align the corner pixels' centres (default false). Must be null for the other modes.</param>
            /// <param name="recompute_scale_factor">Compute the output size from the scale, then sample as if the size had been given.</param>
            /// <param name="antialias">Anti-aliasing for bilinear and bicubic downsampling.</param>
            public static unsafe Tensor interpolate(Tensor x, long[]? size = null, double[]? scale_factor = null, InterpolationMode mode = InterpolationMode.Nearest, bool? align_corners = null, bool recompute_scale_factor = false, bool antialias = false)
            {
                var spatial = (int)x.dim() - 2;
                if (spatial < 1)
                    throw new ArgumentException($"interpolate: the input is {x.dim()}-D; expected [N, C, spatial...] with 1 to 3 spatial dimensions.", nameof(x));
                if ((size is null) == (scale_factor is null))
                    throw new ArgumentException("interpolate: expected exactly one of size and scale_factor, got " + (size is null ? "neither." : "both."), size is null ? nameof(size) : nameof(scale_factor));
                var linear = mode is InterpolationMode.Linear or InterpolationMode.Bilinear or InterpolationMode.Bicubic or InterpolationMode.Trilinear;
                if (!linear && align_corners.HasValue)
                    throw new ArgumentException($"interpolate: align_corners is {align_corners}; it can only be set with the interpolating modes (Linear, Bilinear, Bicubic, Trilinear), not {mode}.", nameof(align_corners));
                var sizes = size is null ? null : Spread(size, spatial, nameof(size));
                var scales = scale_factor is null ? null : Spread(scale_factor, spatial, nameof(scale_factor));
                if (sizes is not null && sizes.Any(s => s <= 0))
                    throw new ArgumentException($"interpolate: size is [{string.Join(", ", sizes)}]; expected positive sizes.", nameof(size));
                if (scales is not null && scales.Any(s => !(s > 0)))
                    throw new ArgumentException($"interpolate: scale_factor is [{string.Join(", ", scales)}]; expected positive factors.", nameof(scale_factor));
                var align = linear ? (align_corners == true ? 1 : 0) : -1;
                fixed (long* ps = sizes) fixed (double* pf = scales)
                    return Tensor.Wrap(Native.ets_interpolate(x.HandleChecked, ps, sizes?.Length ?? 0, pf, scales?.Length ?? 0, (int)mode, align, recompute_scale_factor ? 1 : 0, antialias ? 1 : 0));
            }

            private static T[] Spread<T>(T[] values, int count, string name)
            {
                if (values.Length == count) return values;
                if (values.Length == 1) return Enumerable.Repeat(values[0], count).ToArray();
                throw new ArgumentException($"interpolate: {name} has {values.Length} values; expected 1 or {count} (one per spatial dimension).", name);
            }

            /// <summary>
            /// Extracts sliding local blocks (im2col): [N, C, H, W] → [N, C·k·k, L], L the number of
            /// block positions.
            /// </summary>
            /// <param name="input">A 4-D batch of images.</param>
            /// <param name="kernel_size">The block size.</param>
            /// <param name="dilation">The spacing of block elements.</param>
            /// <param name="padding">Implicit zero padding on each side.</param>
            /// <param name="stride">The step between blocks.</param>
            public static Tensor unfold(Tensor input, long kernel_size, long dilation = 1, long padding = 0, long stride = 1)
                => unfold(input, (kernel_size, kernel_size), (dilation, dilation), (padding, padding), (stride, stride));

            /// <summary>Extracts sliding local blocks (im2col) with (height, width) sizes.</summary>
            /// <param name="input">A 4-D batch of images.</param>
            /// <param name="kernel_size">The block size.</param>
            /// <param name="dilation">The spacing of block elements (default (1, 1)).</param>
            /// <param name="padding">Implicit zero padding (default (0, 0)).</param>
            /// <param name="stride">The step between blocks (default (1, 1)).</param>
            public static unsafe Tensor unfold(Tensor input, (long, long) kernel_size, (long, long)? dilation = null, (long, long)? padding = null, (long, long)? stride = null)
            {
                if (input.dim() != 4)
                    throw new ArgumentException($"unfold: the input is {input.dim()}-D; expected a 4-D [N, C, H, W] batch.", nameof(input));
                var k = Pair(kernel_size);
                var d = Pair(dilation ?? (1, 1));
                var p = Pair(padding ?? (0, 0));
                var s = Pair(stride ?? (1, 1));
                Positive(k, nameof(kernel_size), "unfold");
                Positive(d, nameof(dilation), "unfold");
                Positive(s, nameof(stride), "unfold");
                if (p[0] < 0 || p[1] < 0) throw new ArgumentException($"unfold: padding is ({p[0]}, {p[1]}); expected non-negative values.", nameof(padding));
                fixed (long* pk = k) fixed (long* pd = d) fixed (long* pp = p) fixed (long* ps = s)
                    return Tensor.Wrap(Native.ets_unfold(input.HandleChecked, pk, pd, pp, ps));
            }

            internal static void Positive(long[] values, string name, string op)
            {
                if (values.Any(v => v <= 0))
                    throw new ArgumentException($"{op}: {name} is ({string.Join(", ", values)}); expected positive values.", name);
            }

            // ---- normalisation, similarity, attention -------------------------------------------

            /// <summary>Divides by the Lp norm along <paramref name="dim"/> (clamped below by <paramref name="eps"/>).</summary>
            public static Tensor normalize(Tensor input, double p = 2.0, long dim = 1L, double eps = 1e-12)
                => Tensor.Wrap(Native.ets_normalize(input.HandleChecked, p, dim, eps));

            /// <summary>Cosine of the angle between <paramref name="x1"/> and <paramref name="x2"/> along <paramref name="dim"/>.</summary>
            public static Tensor cosine_similarity(Tensor x1, Tensor x2, long dim = 1, double eps = 1e-8)
                => Tensor.Wrap(Native.ets_cosine_similarity(x1.HandleChecked, x2.HandleChecked, dim, eps));

            /// <summary>
            /// softmax(Q Kᵀ / √E + mask) V over the last two dimensions (E the last dimension of Q).
            /// A boolean <paramref name="attn_mask"/> marks the positions that may be attended (true);
            /// a floating-point one is added to the scores.
            /// </summary>
            /// <param name="query">[..., L, E].</param>
            /// <param name="key">[..., S, E].</param>
            /// <param name="value">[..., S, Ev].</param>
            /// <param name="attn_mask">Optional mask broadcastable to [..., L, S].</param>
            /// <param name="p">Dropout probability on the attention weights.</param>
            /// <param name="is_casual">Apply a causal (lower-triangular) mask; TorchSharp's spelling.</param>
            public static Tensor scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask = null, double p = 0.0, bool is_casual = false)
            {
                if (p < 0 || p > 1) throw new ArgumentException($"scaled_dot_product_attention: p is {p}; expected a probability in [0, 1].", nameof(p));
                if (is_casual && attn_mask is not null) throw new ArgumentException("scaled_dot_product_attention: attn_mask is given together with is_casual = true; expected one of them.", nameof(attn_mask));
                var r = Tensor.Wrap(Native.ets_scaled_dot_product_attention(query.HandleChecked, key.HandleChecked, value.HandleChecked, Tensor.RawOrZero(attn_mask), p, is_casual ? 1 : 0));
                GC.KeepAlive(attn_mask);
                return r;
            }

            // ---- losses ---------------------------------------------------------------------------

            /// <summary>Mean absolute error.</summary>
            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
                => Tensor.Wrap(Native.ets_l1_loss(input.HandleChecked, target.HandleChecked, (long)reduction));

            /// <summary>Huber-style loss: 0.5·d²/beta where |d| &lt; beta, |d| − 0.5·beta elsewhere.</summary>
            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
            {
                if (beta < 0) throw new ArgumentException($"smooth_l1_loss: beta is {beta}; expected a non-negative value.", nameof(beta));
                return Tensor.Wrap(Native.ets_smooth_l1_loss(input.HandleChecked, target.HandleChecked, (long)reduction, beta));
            }
        }
    }
}
