using System;
using System.Linq;
using System.Collections.Generic;
using System.IO;

namespace Efficient.Training.Optimizers;

/// <summary>
/// Adam with weight decay decoupled from the learning rate (Loshchilov &amp; Hutter, 2019), exactly
/// as Composer's <c>DecoupledAdamW</c>. For each parameter p with gradient g, per parameter group,
/// with t the parameter's step count (starting at 1):
/// <code>
/// if weight_decay != 0:  p ← p · (1 − (lr / initial_lr) · weight_decay)     // (lr / initial_lr) = 1 when initial_lr = 0
/// m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²;   (amsgrad: v_max ← max(v_max, v), used instead of v)
/// p ← p − lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
/// </code>
/// Unlike <c>torch.optim.AdamW</c> (p ← p·(1 − lr·weight_decay)) the decay is not multiplied by the
/// learning rate, only scaled by the schedule: <c>DecoupledAdamW(weight_decay = λ)</c> equals
/// <c>AdamW(weight_decay = λ / initial_lr)</c> under any schedule. Defaults are Composer's:
/// lr 1e-3, betas (0.9, 0.95), eps 1e-8, weight_decay 1e-5.
/// </summary>
public sealed class DecoupledAdamW : SlotOptimizer<DecoupledAdamW.Options, DecoupledAdamW.State>, optim.IBetas
{
    /// <summary>Creates the optimizer for one group of parameters.</summary>
    /// <param name="parameters">The parameters to optimize.</param>
    /// <param name="lr">The learning rate, in [0, +inf) (default 1e-3).</param>
    /// <param name="beta1">The coefficient of the running average of the gradient, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">The coefficient of the running average of its square, in [0, 1) (default 0.95, Composer's).</param>
    /// <param name="eps">Added to the denominator, in [0, +inf) (default 1e-8).</param>
    /// <param name="weight_decay">The decoupled weight decay, in [0, 1) (default 1e-5, Composer's).</param>
    /// <param name="amsgrad">Use the maximum of the second moments so far (AMSGrad; default false).</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it, its value and the valid range).</exception>
    public DecoupledAdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8, double weight_decay = 1e-5, bool amsgrad = false)
        : this(SingleGroup(parameters), lr, beta1, beta2, eps, weight_decay, amsgrad)
    {
    }

    /// <summary>Creates the optimizer for parameter groups; options a group leaves unset take these values.</summary>
    /// <inheritdoc cref="DecoupledAdamW(IEnumerable{Parameter}, double, double, double, double, double, bool)"/>
    public DecoupledAdamW(IEnumerable<ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8, double weight_decay = 1e-5, bool amsgrad = false)
        : base(nameof(DecoupledAdamW), parameters, new Options { LearningRate = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = weight_decay, amsgrad = amsgrad })
    {
    }

    private protected override void FillDefaults(Options o, Options d) => Options.Fields.Fill(o, d);

    private protected override void Validate(Options o, int group)
    {
        OptimizerArgs.NonNegative(o.LearningRate!.Value, "lr", "learning rate", group);
        OptimizerArgs.UnitOpen(o.beta1!.Value, "beta1", "beta parameter at index 0", group);
        OptimizerArgs.UnitOpen(o.beta2!.Value, "beta2", "beta parameter at index 1", group);
        OptimizerArgs.NonNegative(o.eps!.Value, "eps", "epsilon value", group);
        OptimizerArgs.UnitOpen(o.weight_decay!.Value, "weight_decay", "weight_decay value", group);
    }

    private protected override void StepGroup(Parameter[] parameters, Options o)
    {
        var lr = o.LearningRate!.Value;
        var (beta1, beta2, eps, wd, amsgrad) = (o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value, o.amsgrad!.Value);
        var keep = 1 - DecoupledWeightDecay.ScheduleFactor(lr, o.InitialLearningRate) * wd;
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            var state = StateFor(p);
            if (wd != 0) p.mul_(keep);
            var (m, v, t) = AdamMoments.Step(state, p, g, beta1, beta2);
            var bc1 = 1 - Math.Pow(beta1, t);
            var bc2 = 1 - Math.Pow(beta2, t);
            var second = v;
            if (amsgrad)
            {
                var max = state.ZerosIfEmpty(2, p);
                max.copy_(maximum(max, v));
                second = max;
            }
            var denom = second.sqrt().div_(Math.Sqrt(bc2)).add_(eps);
            p.addcdiv_(m, denom, -lr / bc1);
        }
    }

    /// <summary>The default betas; setting them also sets the betas of every existing group.</summary>
    public (double, double) Betas
    {
        get => (((Options)_defaults).beta1 ?? 0.9, ((Options)_defaults).beta2 ?? 0.95);
        set => SetAll(o => (o.beta1, o.beta2) = value);
    }

    /// <summary>The state of one parameter: step count, running averages (null until its first update) and, with AMSGrad, their maximum.</summary>
    public sealed class State : SlotState
    {
        /// <summary>An empty state.</summary>
        public State() : base(3) { }

        /// <summary>The running average of the gradient.</summary>
        public Tensor? exp_avg { get => GetSlot(0); set => SetSlot(0, value); }

        /// <summary>The running average of the squared gradient.</summary>
        public Tensor? exp_avg_sq { get => GetSlot(1); set => SetSlot(1, value); }

        /// <summary>The maximum of <see cref="exp_avg_sq"/> so far (AMSGrad only).</summary>
        public Tensor? max_exp_avg_sq { get => GetSlot(2); set => SetSlot(2, value); }
    }

    /// <summary>The options of one parameter group (null: the optimizer's default).</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>The coefficient of the running average of the gradient.</summary>
        public double? beta1;
        /// <summary>The coefficient of the running average of the squared gradient.</summary>
        public double? beta2;
        /// <summary>Added to the denominator for numerical stability.</summary>
        public double? eps;
        /// <summary>The decoupled weight decay.</summary>
        public double? weight_decay;
        /// <summary>AMSGrad.</summary>
        public bool? amsgrad;

        /// <summary>The fields above, in the order of the saved format, with the value saved for an unset one.</summary>
        internal static readonly OptionFields<Options> Fields = new OptionFields<Options>()
            .Add(o => ref o.beta1, 0.9)
            .Add(o => ref o.beta2, 0.95)
            .Add(o => ref o.eps, 1e-8)
            .Add(o => ref o.weight_decay, 0)
            .Add(o => ref o.amsgrad, false);

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            Fields.Save(this, writer);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            Fields.Load(this, reader);
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            Fields.Copy(this, source);
        }
    }
}
