using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Torch.Interop;
using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>
    /// Optimizers (<see cref="Modules.SGD"/>, <see cref="Modules.Adam"/>, <see cref="Modules.AdamW"/>)
    /// and, in <see cref="lr_scheduler"/>, learning-rate schedules. The factories here return the
    /// concrete classes of <c>Efficient.Torch.Modules</c>, as in TorchSharp.
    /// </summary>
    public static partial class optim
    {
        /// <summary>
        /// The base of all optimizers: parameter groups with their own learning rate and options,
        /// <see cref="step"/> and <see cref="zero_grad"/>. The built-in optimizers derive from
        /// <see cref="OptimizerHelper"/>, which adds state, <c>state_dict()</c> and
        /// <c>load_state_dict()</c>. Dispose an optimizer to free its state tensors.
        /// </summary>
        public abstract partial class Optimizer : IDisposable
        {
            private bool _disposed;

            /// <summary>
            /// Creates an optimizer. TorchSharp passes the handle of a native optimizer here; in this
            /// binding every optimizer is a managed object driving native update loops, so
            /// <paramref name="handle"/> is ignored (pass <see cref="IntPtr.Zero"/>).
            /// </summary>
            protected Optimizer(IntPtr handle) { }

            /// <summary>Releases the optimizer's state tensors.</summary>
            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            /// <summary>Releases the optimizer's state tensors (override to release your own).</summary>
            protected virtual void Dispose(bool disposing) => _disposed = true;

            /// <summary>Throws when the optimizer has been disposed.</summary>
            private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

            /// <summary>
            /// Clears the gradients of all optimized parameters: drops them (<paramref name="set_to_none"/>,
            /// the default, which saves memory and an addition on the next backward) or zeroes them in place.
            /// One native call for all parameters.
            /// </summary>
            public virtual void zero_grad(bool set_to_none = true)
            {
                ThrowIfDisposed();
                var ps = parameters() as Parameter[] ?? parameters().ToArray();
                if (ps.Length == 0) return;
                unsafe
                {
                    Span<IntPtr> handles = ps.Length <= 256 ? stackalloc IntPtr[ps.Length] : new IntPtr[ps.Length];
                    for (var i = 0; i < ps.Length; i++) handles[i] = ps[i].Handle;
                    fixed (IntPtr* h = handles) Native.Check(Native.ets_zero_grad(h, ps.Length, set_to_none ? 1 : 0));
                }
                GC.KeepAlive(ps);
            }

            /// <summary>A loss closure in native form (kept for TorchSharp source compatibility; use <c>Func&lt;Tensor&gt;</c>).</summary>
            public delegate IntPtr LossClosure();

            /// <summary>
            /// Adds a parameter group, e.g. to train layers that were frozen so far. Options left
            /// unset in the group take the optimizer's defaults.
            /// </summary>
            public virtual void add_param_group(Modules.ParamGroup param_group)
                => throw new NotSupportedException($"{GetType().Name} does not support add_param_group.");

            /// <summary>
            /// Performs one optimization step (a parameter update). When <paramref name="closure"/> is
            /// given it is called first, with gradients enabled, to re-evaluate the model (it should
            /// clear the gradients, compute the loss and call backward); its loss is returned.
            /// </summary>
            /// <returns>The closure's loss, or null without a closure.</returns>
            public virtual Tensor? step(Func<Tensor>? closure = null)
                => throw new NotSupportedException($"{GetType().Name} does not implement step.");

            /// <summary>All parameters the optimizer updates, group by group.</summary>
            public virtual IEnumerable<Parameter> parameters() => _parameter_groups.SelectMany(g => g.Parameters);

            /// <summary>
            /// An optimizer's state: the options of each parameter group and the state of each
            /// parameter (in group order). Unlike PyTorch's dictionary, this is a record of two lists,
            /// as in TorchSharp. The lists hold the optimizer's live objects, not copies.
            /// </summary>
            public class StateDictionary
            {
                internal StateDictionary()
                {
                    Options = new List<OptimizerOptions>();
                    State = new List<OptimizerState>();
                }

                /// <summary>The options of each parameter group.</summary>
                public List<OptimizerOptions> Options { get; private set; }

                /// <summary>The state of each parameter, group by group.</summary>
                public List<OptimizerState> State { get; private set; }
            }

            /// <summary>
            /// The parameter groups, as learning-rate controllers (what LR schedulers use). Each
            /// element is the group itself; cast it to <see cref="Modules.ParamGroup"/>,
            /// <see cref="IMomentum"/> or <see cref="IBetas"/> for its other options.
            /// </summary>
            public virtual IEnumerable<ILearningRateController> ParamGroups => _parameter_groups;

            /// <summary>The parameter groups.</summary>
            protected IList<Modules.ParamGroup> _parameter_groups = new List<Modules.ParamGroup>();

            /// <summary>
            /// Replaces parameters in the groups (see <see cref="OptimizerSurgeryExtensions.ReplaceParameters"/>).
            /// The base implementation swaps the parameters only; optimizers with state move it.
            /// </summary>
            internal virtual int ReplaceParametersCore(IReadOnlyDictionary<Parameter, Parameter> map)
            {
                ThrowIfDisposed();
                var replaced = 0;
                var updated = new Parameter[_parameter_groups.Count][];
                for (var g = 0; g < updated.Length; g++)
                {
                    var ps = _parameter_groups[g].Parameters.ToArray();
                    for (var i = 0; i < ps.Length; i++)
                    {
                        if (!map.TryGetValue(ps[i], out var replacement)) continue;
                        ps[i] = replacement;
                        replaced++;
                    }
                    updated[g] = ps;
                }
                if (replaced == 0) return 0;
                CheckNoDuplicates(updated, "map");
                for (var g = 0; g < updated.Length; g++) _parameter_groups[g].Parameters = updated[g];
                return replaced;
            }

            /// <summary>Throws when a parameter would appear twice in the optimizer.</summary>
            private protected void CheckNoDuplicates() => CheckNoDuplicates(_parameter_groups.Select(g => g.Parameters).ToArray(), "param_group");

            private static void CheckNoDuplicates(IReadOnlyList<IEnumerable<Parameter>> groups, string paramName)
            {
                var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
                for (var g = 0; g < groups.Count; g++)
                    foreach (var p in groups[g])
                        if (!seen.Add(p))
                            throw new ArgumentException($"A parameter appears more than once in the optimizer (found again in parameter group {g}); each parameter may belong to one group only.", paramName);
            }
        }

        /// <summary>Lets LR schedulers read and set a parameter group's learning rate.</summary>
        public interface ILearningRateController
        {
            /// <summary>The current learning rate.</summary>
            double LearningRate { set; get; }

            /// <summary>The learning rate the group started with (the base of most schedules).</summary>
            double InitialLearningRate { set; get; }
        }

        /// <summary>An optimizer (or parameter group) with a momentum factor, which schedulers such as OneCycleLR cycle.</summary>
        public interface IMomentum
        {
            /// <summary>The momentum factor.</summary>
            double Momentum { get; set; }
        }

        /// <summary>An optimizer (or parameter group) with Adam-style betas; OneCycleLR cycles beta1.</summary>
        public interface IBetas
        {
            /// <summary>The coefficients of the running averages of the gradient and of its square.</summary>
            (double, double) Betas { get; set; }
        }
    }
}

/// <summary>
/// Optimizer surgery that TorchSharp does not offer: pointing an optimizer at new parameter objects
/// after model surgery (a layer replaced by an equivalent one, parameters re-created).
/// </summary>
public static class OptimizerSurgeryExtensions
{
    /// <summary>
    /// Replaces, in every parameter group of <paramref name="optimizer"/>, each parameter that is a
    /// key of <paramref name="map"/> by the mapped parameter, keeping its group (and so its options
    /// and learning rate) and its position. The optimizer's state for the old parameter (momentum
    /// buffer, Adam's moments and step count, ...) moves to the new one when it fits the new
    /// parameter's shape; otherwise it is dropped and the new parameter starts from fresh state.
    /// Keys that the optimizer does not hold are ignored. The old parameters are not disposed.
    /// </summary>
    /// <param name="optimizer">The optimizer to update.</param>
    /// <param name="map">Old parameter → new parameter (compared by reference).</param>
    /// <returns>How many parameters were replaced.</returns>
    /// <exception cref="ArgumentException">A new parameter is null or would then appear twice in the optimizer.</exception>
    public static int ReplaceParameters(this torch.optim.Optimizer optimizer, IReadOnlyDictionary<Parameter, Parameter> map)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(map);
        foreach (var (from, to) in map)
            if (to is null) throw new ArgumentException($"The replacement for parameter {from} is null.", nameof(map));
        return optimizer.ReplaceParametersCore(map);
    }
}
