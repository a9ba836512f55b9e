using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Efficient.Torch.Interop;
using Efficient.Torch.Modules;
using Efficient.Torch.Optim;
using static Efficient.Torch.torch;
using static Efficient.Torch.torch.optim;

namespace Efficient.Torch
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>
            /// Stochastic gradient descent, optionally with (Nesterov) momentum, dampening, L2 weight
            /// decay and maximization — PyTorch 1.13's <c>torch.optim.SGD</c> update.
            /// </summary>
            /// <param name="parameters">The parameters to optimize.</param>
            /// <param name="learningRate">The learning rate, in [0, +inf).</param>
            /// <param name="momentum">The momentum factor, in [0, +inf) (default 0: none).</param>
            /// <param name="dampening">Dampening of the momentum (default 0).</param>
            /// <param name="weight_decay">L2 penalty, in [0, +inf) (default 0).</param>
            /// <param name="nesterov">Nesterov momentum (needs momentum &gt; 0 and dampening 0).</param>
            /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
            public static Modules.SGD SGD(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
                => new(parameters, learningRate, momentum, dampening, weight_decay, nesterov, maximize);

            /// <summary>SGD over named parameters (the names are ignored).</summary>
            /// <inheritdoc cref="SGD(IEnumerable{Parameter}, double, double, double, double, bool, bool)"/>
            public static Modules.SGD SGD(IEnumerable<(string name, Parameter parameter)> parameters, double learningRate, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
                => new((parameters ?? throw new ArgumentNullException(nameof(parameters))).Select(np => np.parameter), learningRate, momentum, dampening, weight_decay, nesterov, maximize);

            /// <summary>SGD over parameter groups; options a group leaves unset take these values.</summary>
            /// <inheritdoc cref="SGD(IEnumerable{Parameter}, double, double, double, double, bool, bool)"/>
            public static Modules.SGD SGD(IEnumerable<Modules.SGD.ParamGroup> parameters, double learningRate, double momentum = 0.0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
                => new(parameters, learningRate, momentum, dampening, weight_decay, nesterov, maximize);
        }
    }
}

namespace Efficient.Torch.Modules
{
    /// <summary>
    /// Stochastic gradient descent (PyTorch 1.13 <c>torch.optim.SGD</c>). For each parameter with a
    /// gradient g: g = -g when maximizing; g += weight_decay·p; with momentum μ the buffer b is g on
    /// the first update and μ·b + (1 − dampening)·g after, and g becomes b (or g + μ·b with Nesterov);
    /// then p −= lr·g. The whole group is updated in one native call.
    /// </summary>
    public class SGD : OptimizerHelper, IMomentum
    {
        /// <summary>Creates the optimizer for one group of parameters.</summary>
        /// <param name="parameters">The parameters to optimize.</param>
        /// <param name="lr">The learning rate, in [0, +inf).</param>
        /// <param name="momentum">The momentum factor, in [0, +inf) (default 0: none).</param>
        /// <param name="dampening">Dampening of the momentum (default 0).</param>
        /// <param name="weight_decay">L2 penalty, in [0, +inf) (default 0).</param>
        /// <param name="nesterov">Nesterov momentum (needs momentum &gt; 0 and dampening 0).</param>
        /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
        /// <exception cref="ArgumentException">An option is out of range (the message names it, its value and the valid range).</exception>
        public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0.0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : this(new[] { new ParamGroup { Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters)) } }, lr, momentum, dampening, weight_decay, nesterov, maximize)
        {
        }

        /// <summary>Creates the optimizer for parameter groups; options a group leaves unset take these values.</summary>
        /// <inheritdoc cref="SGD(IEnumerable{Parameter}, double, double, double, double, bool, bool)"/>
        public SGD(IEnumerable<ParamGroup> parameters, double lr, double momentum = 0.0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            var defaults = new Options
            {
                LearningRate = lr,
                InitialLearningRate = lr,
                momentum = momentum,
                dampening = dampening,
                weight_decay = weight_decay,
                nesterov = nesterov,
                maximize = maximize,
            };
            Validate(defaults, -1);
            _defaults = defaults;
            foreach (var group in parameters) add_param_group(group);
            if (!this.parameters().Any()) throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
        }

        private static void Validate(Options o, int group)
        {
            var where = OptimArgs.GroupSuffix(group);
            OptimArgs.NonNegative(o.LearningRate!.Value, "lr", "learning rate", where);
            OptimArgs.NonNegative(o.momentum!.Value, "momentum", "momentum", where);
            if (!double.IsFinite(o.dampening!.Value)) throw OptimArgs.Invalid("dampening", "dampening", OptimArgs.Format(o.dampening.Value), "a finite value", where);
            OptimArgs.NonNegative(o.weight_decay!.Value, "weight_decay", "weight_decay value", where);
            if (o.nesterov!.Value && (o.momentum.Value <= 0 || o.dampening.Value != 0))
                throw OptimArgs.Invalid("nesterov", "Nesterov momentum", "true", $"momentum > 0 and dampening = 0 (got momentum = {OptimArgs.Format(o.momentum.Value)}, dampening = {OptimArgs.Format(o.dampening.Value)})", where);
        }

        /// <inheritdoc />
        public override Tensor? step(Func<Tensor>? closure = null)
        {
            var loss = EvaluateClosure(closure);
            foreach (var group in _parameter_groups) StepGroup(group);
            return loss;
        }

        private unsafe void StepGroup(Modules.ParamGroup group)
        {
            var o = (Options)group.Options;
            var ps = ParametersOf(group);
            var n = ps.Length;
            if (n == 0) return;
            var pool = ArrayPool<IntPtr>.Shared;
            var handles = pool.Rent(2 * n);
            var states = new State[n];
            try
            {
                var bufs = handles.AsSpan(n, n);
                for (var i = 0; i < n; i++)
                {
                    handles[i] = ps[i].Handle;
                    states[i] = (State)StateOf(ps[i]);
                    bufs[i] = states[i].momentum_buffer?.Handle ?? IntPtr.Zero;
                }
                int rc;
                fixed (IntPtr* h = handles)
                    rc = Native.ets_sgd_step(h, h + n, n, o.LearningRate!.Value, o.momentum!.Value, o.dampening!.Value, o.weight_decay!.Value, o.nesterov!.Value ? 1 : 0, o.maximize!.Value ? 1 : 0);
                for (var i = 0; i < n; i++)
                    if (states[i].momentum_buffer is null && bufs[i] != IntPtr.Zero) states[i].momentum_buffer = StateTensors.Adopt(bufs[i]);
                Native.Check(rc);
            }
            finally
            {
                pool.Return(handles);
                GC.KeepAlive(ps);
            }
        }

        /// <summary>
        /// Adds a parameter group: options it leaves unset take the optimizer's defaults, then all are
        /// validated. The group's initial learning rate is its learning rate.
        /// </summary>
        public override void add_param_group(Modules.ParamGroup param_group)
        {
            ArgumentNullException.ThrowIfNull(param_group);
            var def = (Options)_defaults;
            if (!param_group.HasOptions) param_group.Options = new Options();
            if (param_group.Options is not Options opt)
                throw new ArgumentException($"An SGD parameter group needs SGD.Options, not {OptimArgs.TypeName(param_group.Options)}.", nameof(param_group));
            opt.LearningRate ??= def.LearningRate;
            opt.momentum ??= def.momentum;
            opt.dampening ??= def.dampening;
            opt.weight_decay ??= def.weight_decay;
            opt.nesterov ??= def.nesterov;
            opt.maximize ??= def.maximize;
            opt.InitialLearningRate = opt.LearningRate!.Value;
            Validate(opt, _parameter_groups.Count);
            base.add_param_group(param_group);
        }

        private protected override OptimizerState NewState(Parameter parameter) => new State();

        /// <summary>The default momentum; setting it also sets the momentum of every existing group.</summary>
        public double Momentum
        {
            get => ((Options)_defaults).momentum ?? 0;
            set
            {
                ((Options)_defaults).momentum = value;
                foreach (var g in _parameter_groups) ((Options)g.Options).momentum = value;
            }
        }

        /// <summary>The state of one parameter: its momentum buffer (null until its first update with momentum).</summary>
        public class State : OptimizerState, IDisposable
        {
            /// <summary>The momentum buffer.</summary>
            public Tensor? momentum_buffer;

            /// <summary>Disposes the momentum buffer.</summary>
            public void Dispose()
            {
                momentum_buffer?.Dispose();
                momentum_buffer = null;
                GC.SuppressFinalize(this);
            }

            /// <inheritdoc />
            public override void to(Device device) => StateTensors.MoveTo(ref momentum_buffer, device);

            /// <inheritdoc />
            public override void LoadStateDict(BinaryReader reader) => LoadConditionalStateTensor(reader, ref momentum_buffer);

            /// <inheritdoc />
            public override void SaveStateDict(BinaryWriter writer) => SaveConditionalStateTensor(writer, momentum_buffer);

            /// <inheritdoc />
            public override void LoadStateDict(OptimizerState source)
            {
                if (source is not State s) throw new ArgumentException($"Expected an SGD.State, got {OptimArgs.TypeName(source)}.", nameof(source));
                StateTensors.Assign(ref momentum_buffer, s.momentum_buffer);
            }

            /// <inheritdoc />
            public override bool ApproximatelyEquals(OptimizerState other)
                => other is State s && (momentum_buffer is null ? s.momentum_buffer is null : s.momentum_buffer is not null && momentum_buffer.allclose(s.momentum_buffer));

            internal override bool IsCompatibleWith(Parameter parameter) => StateTensors.Fits(momentum_buffer, parameter.shape);
        }

        /// <summary>SGD's options of one parameter group (null: the optimizer's default).</summary>
        public class Options : OptimizerOptions
        {
            /// <summary>The momentum factor.</summary>
            public double? momentum;
            /// <summary>Dampening of the momentum.</summary>
            public double? dampening;
            /// <summary>L2 penalty.</summary>
            public double? weight_decay;
            /// <summary>Nesterov momentum.</summary>
            public bool? nesterov;
            /// <summary>Maximize instead of minimize.</summary>
            public bool? maximize;

            /// <inheritdoc />
            public override void LoadStateDict(BinaryReader reader)
            {
                base.LoadStateDict(reader);
                momentum = reader.ReadDouble();
                dampening = reader.ReadDouble();
                weight_decay = reader.ReadDouble();
                nesterov = reader.ReadBoolean();
                maximize = reader.ReadBoolean();
            }

            /// <inheritdoc />
            public override void LoadStateDict(OptimizerOptions source)
            {
                base.LoadStateDict(source);
                if (source is not Options o) throw new ArgumentException($"Expected SGD.Options, got {OptimArgs.TypeName(source)}.", nameof(source));
                momentum = o.momentum;
                dampening = o.dampening;
                weight_decay = o.weight_decay;
                nesterov = o.nesterov;
                maximize = o.maximize;
            }

            /// <inheritdoc />
            public override void SaveStateDict(BinaryWriter writer)
            {
                base.SaveStateDict(writer);
                writer.Write(momentum ?? 0);
                writer.Write(dampening ?? 0);
                writer.Write(weight_decay ?? 0);
                writer.Write(nesterov ?? false);
                writer.Write(maximize ?? false);
            }
        }

        /// <summary>A group of parameters with its own SGD options.</summary>
        public class ParamGroup : ParamGroup<Options>, IMomentum
        {
            /// <summary>An empty group.</summary>
            public ParamGroup() { }

            /// <summary>A group with the given options (unset ones take the optimizer's defaults).</summary>
            public ParamGroup(IEnumerable<Parameter> parameters, Options options) : base(parameters, options) { }

            /// <summary>A group with all options given (as in TorchSharp, the defaults here are not the optimizer's).</summary>
            public ParamGroup(IEnumerable<Parameter> parameters, double lr = 1e-3, double momentum = 0.0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
                : base(parameters, new Options { LearningRate = lr, momentum = momentum, dampening = dampening, weight_decay = weight_decay, nesterov = nesterov, maximize = maximize })
            {
            }

            /// <summary>The group's momentum factor.</summary>
            public double Momentum
            {
                get => Options.momentum ?? 0;
                set => Options.momentum = value;
            }
        }
    }
}
