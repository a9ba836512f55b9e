using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
            /// Adam (Kingma &amp; Ba, 2014), optionally AMSGrad, with L2 weight decay added to the
            /// gradient — PyTorch 1.13's <c>torch.optim.Adam</c> update.
            /// </summary>
            /// <param name="parameters">The parameters to optimize.</param>
            /// <param name="lr">The learning rate, in [0, +inf) (default 1e-3).</param>
            /// <param name="beta1">Coefficient of the running average of the gradient, in [0, 1) (default 0.9).</param>
            /// <param name="beta2">Coefficient of the running average of the squared gradient, in [0, 1) (default 0.999).</param>
            /// <param name="eps">Added to the denominator for numerical stability, in [0, +inf) (default 1e-8).</param>
            /// <param name="weight_decay">L2 penalty, in [0, +inf) (default 0).</param>
            /// <param name="amsgrad">Use the AMSGrad variant (the maximum of past squared-gradient averages).</param>
            /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
            public static Modules.Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>Adam over named parameters (the names are ignored).</summary>
            /// <inheritdoc cref="Adam(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
            public static Modules.Adam Adam(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                => new((parameters ?? throw new ArgumentNullException(nameof(parameters))).Select(np => np.parameter), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>Adam over parameter groups; options a group leaves unset take these values.</summary>
            /// <inheritdoc cref="Adam(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
            public static Modules.Adam Adam(IEnumerable<Modules.Adam.ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);
        }
    }
}

namespace Efficient.Torch.Modules
{
    /// <summary>
    /// Adam (PyTorch 1.13 <c>torch.optim.Adam</c>): for each parameter with a gradient g (negated when
    /// maximizing, plus weight_decay·p), m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², and
    /// p −= lr/(1 − β1ᵗ) · m / (√v̂/√(1 − β2ᵗ) + eps) where v̂ is v or, with AMSGrad, its running
    /// maximum. The state is created on a parameter's first update; the whole group is updated in
    /// one native call.
    /// </summary>
    public class Adam : OptimizerHelper, IBetas
    {
        /// <summary>Creates the optimizer for one group of parameters.</summary>
        /// <param name="parameters">The parameters to optimize.</param>
        /// <param name="lr">The learning rate, in [0, +inf) (default 1e-3).</param>
        /// <param name="beta1">Coefficient of the running average of the gradient, in [0, 1) (default 0.9).</param>
        /// <param name="beta2">Coefficient of the running average of the squared gradient, in [0, 1) (default 0.999).</param>
        /// <param name="eps">Added to the denominator for numerical stability, in [0, +inf) (default 1e-8).</param>
        /// <param name="weight_decay">L2 penalty, in [0, +inf) (default 0).</param>
        /// <param name="amsgrad">Use the AMSGrad variant.</param>
        /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
        /// <exception cref="ArgumentException">An option is out of range (the message names it, its value and the valid range).</exception>
        public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : this(new[] { new ParamGroup { Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters)) } }, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
        {
        }

        /// <summary>Creates the optimizer for parameter groups; options a group leaves unset take these values.</summary>
        /// <inheritdoc cref="Adam(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public Adam(IEnumerable<ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            AdamCore.Validate(lr, beta1, beta2, eps, weight_decay, -1);
            _defaults = new Options
            {
                LearningRate = lr,
                InitialLearningRate = lr,
                beta1 = beta1,
                beta2 = beta2,
                eps = eps,
                weight_decay = weight_decay,
                amsgrad = amsgrad,
                maximize = maximize,
            };
            foreach (var group in parameters) add_param_group(group);
            if (!this.parameters().Any()) throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
        }

        /// <inheritdoc />
        public override Tensor? step(Func<Tensor>? closure = null)
        {
            var loss = EvaluateClosure(closure);
            foreach (var group in _parameter_groups)
            {
                var o = (Options)group.Options;
                var ps = ParametersOf(group);
                var states = new IAdamState[ps.Length];
                for (var i = 0; i < ps.Length; i++) states[i] = (State)StateOf(ps[i]);
                AdamCore.StepGroup(ps, states, new AdamHyper(o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value, o.amsgrad!.Value, o.maximize!.Value), decoupled: false);
            }
            return loss;
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
                throw new ArgumentException($"An Adam parameter group needs Adam.Options, not {OptimArgs.TypeName(param_group.Options)}.", nameof(param_group));
            opt.LearningRate ??= def.LearningRate;
            opt.beta1 ??= def.beta1;
            opt.beta2 ??= def.beta2;
            opt.eps ??= def.eps;
            opt.weight_decay ??= def.weight_decay;
            opt.amsgrad ??= def.amsgrad;
            opt.maximize ??= def.maximize;
            opt.InitialLearningRate = opt.LearningRate!.Value;
            AdamCore.Validate(opt.LearningRate.Value, opt.beta1!.Value, opt.beta2!.Value, opt.eps!.Value, opt.weight_decay!.Value, _parameter_groups.Count);
            base.add_param_group(param_group);
        }

        private protected override OptimizerState NewState(Parameter parameter) => new State();

        /// <summary>The default betas; setting them also sets the betas of every existing group.</summary>
        public (double, double) Betas
        {
            get => (((Options)_defaults).beta1 ?? 0.9, ((Options)_defaults).beta2 ?? 0.999);
            set
            {
                ((Options)_defaults).beta1 = value.Item1;
                ((Options)_defaults).beta2 = value.Item2;
                foreach (var g in _parameter_groups)
                {
                    ((Options)g.Options).beta1 = value.Item1;
                    ((Options)g.Options).beta2 = value.Item2;
                }
            }
        }

        /// <summary>
        /// The state of one parameter: the step count and the running averages (null until the
        /// parameter's first update; <see cref="max_exp_avg_sq"/> only with AMSGrad).
        /// </summary>
        public class State : OptimizerState, IDisposable, IAdamState
        {
            /// <summary>How many updates the parameter has had.</summary>
            public long step;
            /// <summary>Running average of the gradient.</summary>
            public Tensor? exp_avg;
            /// <summary>Running average of the squared gradient.</summary>
            public Tensor? exp_avg_sq;
            /// <summary>Running maximum of <see cref="exp_avg_sq"/> (AMSGrad).</summary>
            public Tensor? max_exp_avg_sq;

            ref long IAdamState.StepRef => ref step;
            ref Tensor? IAdamState.ExpAvg => ref exp_avg;
            ref Tensor? IAdamState.ExpAvgSq => ref exp_avg_sq;
            ref Tensor? IAdamState.MaxExpAvgSq => ref max_exp_avg_sq;

            /// <summary>Disposes the state tensors.</summary>
            public void Dispose()
            {
                AdamCore.Dispose(this);
                GC.SuppressFinalize(this);
            }

            /// <inheritdoc />
            public override void to(Device device) => AdamCore.To(this, device);

            /// <inheritdoc />
            public override void LoadStateDict(BinaryReader reader) => AdamCore.Load(reader, this);

            /// <inheritdoc />
            public override void SaveStateDict(BinaryWriter writer) => AdamCore.Save(writer, this);

            /// <inheritdoc />
            public override void LoadStateDict(OptimizerState source)
            {
                if (source is not State s) throw new ArgumentException($"Expected an Adam.State, got {OptimArgs.TypeName(source)}.", nameof(source));
                AdamCore.Copy(this, s);
            }

            /// <inheritdoc />
            public override bool ApproximatelyEquals(OptimizerState other) => other is State s && AdamCore.ApproximatelyEquals(this, s);

            internal override bool IsCompatibleWith(Parameter parameter) => AdamCore.Fits(this, parameter);
        }

        /// <summary>Adam's options of one parameter group (null: the optimizer's default).</summary>
        public class Options : OptimizerOptions
        {
            /// <summary>Coefficient of the running average of the gradient.</summary>
            public double? beta1;
            /// <summary>Coefficient of the running average of the squared gradient.</summary>
            public double? beta2;
            /// <summary>L2 penalty.</summary>
            public double? weight_decay;
            /// <summary>Added to the denominator for numerical stability.</summary>
            public double? eps;
            /// <summary>Use the AMSGrad variant.</summary>
            public bool? amsgrad;
            /// <summary>Maximize instead of minimize.</summary>
            public bool? maximize;

            /// <inheritdoc />
            public override void LoadStateDict(OptimizerOptions source)
            {
                base.LoadStateDict(source);
                if (source is not Options o) throw new ArgumentException($"Expected Adam.Options, got {OptimArgs.TypeName(source)}.", nameof(source));
                beta1 = o.beta1;
                beta2 = o.beta2;
                eps = o.eps;
                weight_decay = o.weight_decay;
                amsgrad = o.amsgrad;
                maximize = o.maximize;
            }

            /// <inheritdoc />
            public override void LoadStateDict(BinaryReader reader)
            {
                base.LoadStateDict(reader);
                beta1 = reader.ReadDouble();
                beta2 = reader.ReadDouble();
                eps = reader.ReadDouble();
                weight_decay = reader.ReadDouble();
                amsgrad = reader.ReadBoolean();
                maximize = reader.ReadBoolean();
            }

            /// <inheritdoc />
            public override void SaveStateDict(BinaryWriter writer)
            {
                base.SaveStateDict(writer);
                writer.Write(beta1 ?? 0.9);
                writer.Write(beta2 ?? 0.999);
                writer.Write(eps ?? 1e-8);
                writer.Write(weight_decay ?? 0);
                writer.Write(amsgrad ?? false);
                writer.Write(maximize ?? false);
            }
        }

        /// <summary>A group of parameters with its own Adam options.</summary>
        public class ParamGroup : ParamGroup<Options>, IBetas
        {
            /// <summary>An empty group.</summary>
            public ParamGroup() { }

            /// <summary>A group with the given options (unset ones take the optimizer's defaults).</summary>
            public ParamGroup(IEnumerable<Parameter> parameters, Options options) : base(parameters, options) { }

            /// <summary>A group with all options given (as in TorchSharp, the defaults here are not the optimizer's).</summary>
            public ParamGroup(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                : base(parameters, new Options { LearningRate = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = weight_decay, amsgrad = amsgrad, maximize = maximize })
            {
            }

            /// <summary>The group's betas.</summary>
            public (double, double) Betas
            {
                get => (Options.beta1 ?? 0.9, Options.beta2 ?? 0.999);
                set
                {
                    Options.beta1 = value.Item1;
                    Options.beta2 = value.Item2;
                }
            }
        }
    }
}
