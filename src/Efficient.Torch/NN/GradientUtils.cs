using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Torch.Interop;
using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Utilities over parameter lists (gradient clipping, flattening).</summary>
        public static partial class utils
        {
            /// <summary>
            /// Scales the gradients of <paramref name="tensors"/> in place so that their total norm (as
            /// one vector) is at most <paramref name="max_norm"/>: each is multiplied by
            /// min(1, max_norm / (total + 1e-6)). Parameters without a gradient are skipped.
            /// One native call (PyTorch 1.13's algorithm).
            /// </summary>
            /// <param name="tensors">The parameters whose gradients to clip.</param>
            /// <param name="max_norm">The largest allowed total norm, in [0, +inf).</param>
            /// <param name="norm_type">The p of the p-norm, in (0, +inf]; <see cref="double.PositiveInfinity"/> for the max norm.</param>
            /// <returns>The total norm of the gradients before clipping (0 when none has a gradient).</returns>
            public static double clip_grad_norm_(IEnumerable<Parameter> tensors, double max_norm, double norm_type = 2.0)
            {
                ArgumentNullException.ThrowIfNull(tensors);
                if (!(max_norm >= 0)) throw new ArgumentException($"Invalid max_norm: max_norm = {Optim.OptimArgs.Format(max_norm)}; expected a value in [0, +inf).", nameof(max_norm));
                if (!(norm_type > 0)) throw new ArgumentException($"Invalid norm_type: norm_type = {Optim.OptimArgs.Format(norm_type)}; expected a value in (0, +inf].", nameof(norm_type));
                var ps = Materialize(tensors, nameof(tensors));
                double total = 0;
                WithHandles(ps, (h, n) =>
                {
                    unsafe { Native.Check(Native.ets_clip_grad_norm_((IntPtr*)h, n, max_norm, norm_type, 0, out total)); }
                });
                return total;
            }

            /// <summary>Clamps every gradient of <paramref name="tensors"/> in place to [-clip_value, clip_value] (one native call).</summary>
            /// <param name="tensors">The parameters whose gradients to clip.</param>
            /// <param name="clip_value">The largest allowed magnitude, in [0, +inf).</param>
            public static void clip_grad_value_(IEnumerable<Parameter> tensors, double clip_value)
            {
                ArgumentNullException.ThrowIfNull(tensors);
                if (!(clip_value >= 0)) throw new ArgumentException($"Invalid clip_value: clip_value = {Optim.OptimArgs.Format(clip_value)}; expected a value in [0, +inf).", nameof(clip_value));
                var ps = Materialize(tensors, nameof(tensors));
                WithHandles(ps, (h, n) =>
                {
                    unsafe { Native.Check(Native.ets_clip_grad_value_((IntPtr*)h, n, clip_value)); }
                });
            }

            /// <summary>All parameters flattened and concatenated into one vector (recorded by autograd).</summary>
            /// <param name="tensors">The parameters, all on one device.</param>
            public static Tensor parameters_to_vector(IEnumerable<Parameter> tensors)
            {
                ArgumentNullException.ThrowIfNull(tensors);
                var ps = Materialize(tensors, nameof(tensors));
                if (ps.Length == 0) throw new ArgumentException("parameters_to_vector needs at least one parameter.", nameof(tensors));
                Tensor? result = null;
                WithHandles(ps, (h, n) =>
                {
                    unsafe { result = Tensor.Wrap(Native.ets_parameters_to_vector((IntPtr*)h, n)); }
                });
                return result!;
            }

            /// <summary>
            /// Sets the parameters from one vector, in order (the inverse of
            /// <see cref="parameters_to_vector"/>). As in PyTorch each parameter's data becomes a view
            /// of the matching slice of <paramref name="vec"/>, so they share its storage afterwards.
            /// </summary>
            /// <param name="vec">A one-dimensional tensor with as many elements as the parameters together.</param>
            /// <param name="tensors">The parameters, all on one device.</param>
            public static void vector_to_parameters(Tensor vec, IEnumerable<Parameter> tensors)
            {
                ArgumentNullException.ThrowIfNull(vec);
                ArgumentNullException.ThrowIfNull(tensors);
                var ps = Materialize(tensors, nameof(tensors));
                WithHandles(ps, (h, n) =>
                {
                    unsafe { Native.Check(Native.ets_vector_to_parameters(vec.HandleChecked, (IntPtr*)h, n)); }
                });
            }

            private static Parameter[] Materialize(IEnumerable<Parameter> tensors, string name)
            {
                var ps = tensors as Parameter[] ?? tensors.ToArray();
                for (var i = 0; i < ps.Length; i++)
                    if (ps[i] is null) throw new ArgumentException($"Parameter {i} is null.", name);
                return ps;
            }

            private static unsafe void WithHandles(Parameter[] ps, Action<IntPtr, int> call)
            {
                var handles = new IntPtr[Math.Max(ps.Length, 1)];
                for (var i = 0; i < ps.Length; i++) handles[i] = ps[i].Handle;
                fixed (IntPtr* h = handles) call((IntPtr)h, ps.Length);
                GC.KeepAlive(ps);
            }
        }
    }
}
