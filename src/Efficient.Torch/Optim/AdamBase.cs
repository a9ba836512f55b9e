using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Efficient.Torch.Optim;
using static Efficient.Torch.torch;
using static Efficient.Torch.torch.optim;

namespace Efficient.Torch.Modules
{
    /// <summary>
    /// The optimizer shared by <see cref="Adam"/> and <see cref="AdamW"/>: option defaults and
    /// validation, parameter groups, per-parameter state and the update, which differs only in how
    /// weight decay is applied (added to the gradient, or decoupled).
    /// </summary>
    /// <typeparam name="TOptions">The optimizer's options type.</typeparam>
    /// <typeparam name="TState">The optimizer's per-parameter state type.</typeparam>
    public abstract class AdamBase<TOptions, TState> : OptimizerHelper, IBetas
        where TOptions : AdamOptionsBase<TOptions>, new()
        where TState : AdamStateBase<TState>, new()
    {
        private readonly bool _decoupled;
        private readonly string _name;

        private protected AdamBase(IEnumerable<Modules.ParamGroup> parameters, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool maximize, bool decoupled, string name)
        {
            _decoupled = decoupled;
            _name = name;
            ArgumentNullException.ThrowIfNull(parameters);
            AdamCore.Validate(lr, beta1, beta2, eps, weight_decay, -1);
            _defaults = new TOptions
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
                var o = (TOptions)group.Options;
                var ps = ParametersOf(group);
                var states = new IAdamState[ps.Length];
                for (var i = 0; i < ps.Length; i++) states[i] = (TState)StateOf(ps[i]);
                AdamCore.StepGroup(ps, states, new AdamHyper(o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value, o.amsgrad!.Value, o.maximize!.Value), _decoupled);
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
            var def = (TOptions)_defaults;
            if (!param_group.HasOptions) param_group.Options = new TOptions();
            if (param_group.Options is not TOptions opt)
                throw new ArgumentException($"An {_name} parameter group needs {_name}.Options, not {OptimArgs.TypeName(param_group.Options)}.", nameof(param_group));
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

        private protected override OptimizerState NewState(Parameter parameter) => new TState();

        /// <summary>The default betas; setting them also sets the betas of every existing group.</summary>
        public (double, double) Betas
        {
            get => (((TOptions)_defaults).beta1 ?? 0.9, ((TOptions)_defaults).beta2 ?? 0.999);
            set
            {
                ((TOptions)_defaults).beta1 = value.Item1;
                ((TOptions)_defaults).beta2 = value.Item2;
                foreach (var g in _parameter_groups)
                {
                    ((TOptions)g.Options).beta1 = value.Item1;
                    ((TOptions)g.Options).beta2 = value.Item2;
                }
            }
        }
    }

    /// <summary>
    /// The per-parameter state shared by <see cref="Adam.State"/> and <see cref="AdamW.State"/>: the
    /// step count and the running averages (null until the parameter's first update;
    /// <see cref="max_exp_avg_sq"/> only with AMSGrad).
    /// </summary>
    /// <typeparam name="TSelf">The derived state type (a state loads only from its own type).</typeparam>
    public abstract class AdamStateBase<TSelf> : OptimizerState, IDisposable, IAdamState
        where TSelf : AdamStateBase<TSelf>
    {
        private readonly string _name;

        private protected AdamStateBase(string name) => _name = name;

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
            if (source is not TSelf s) throw new ArgumentException($"Expected an {_name}.State, got {OptimArgs.TypeName(source)}.", nameof(source));
            AdamCore.Copy(this, s);
        }

        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) => other is TSelf s && AdamCore.ApproximatelyEquals(this, s);

        internal override bool IsCompatibleWith(Parameter parameter) => AdamCore.Fits(this, parameter);
    }

    /// <summary>
    /// The options shared by <see cref="Adam.Options"/> and <see cref="AdamW.Options"/> (null: the
    /// optimizer's default).
    /// </summary>
    /// <typeparam name="TSelf">The derived options type (options load only from their own type).</typeparam>
    public abstract class AdamOptionsBase<TSelf> : OptimizerOptions
        where TSelf : AdamOptionsBase<TSelf>
    {
        private readonly string _name;

        private protected AdamOptionsBase(string name) => _name = name;

        /// <summary>Coefficient of the running average of the gradient.</summary>
        public double? beta1;
        /// <summary>Coefficient of the running average of the squared gradient.</summary>
        public double? beta2;
        /// <summary>Weight decay: an L2 penalty added to the gradient (Adam) or decoupled (AdamW).</summary>
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
            if (source is not TSelf o) throw new ArgumentException($"Expected {_name}.Options, got {OptimArgs.TypeName(source)}.", nameof(source));
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

    /// <summary>The parameter group shared by <see cref="Adam.ParamGroup"/> and <see cref="AdamW.ParamGroup"/>.</summary>
    /// <typeparam name="TOptions">The optimizer's options type.</typeparam>
    public abstract class AdamParamGroupBase<TOptions> : ParamGroup<TOptions>, IBetas
        where TOptions : AdamOptionsBase<TOptions>, new()
    {
        private protected AdamParamGroupBase() { }

        private protected AdamParamGroupBase(IEnumerable<Parameter> parameters, TOptions? options) : base(parameters, options) { }

        private protected AdamParamGroupBase(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool maximize)
            : base(parameters, new TOptions { LearningRate = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = weight_decay, amsgrad = amsgrad, maximize = maximize })
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
