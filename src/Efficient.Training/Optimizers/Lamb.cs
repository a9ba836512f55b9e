using System;
using System.Linq;
using System.Collections.Generic;
using System.IO;

namespace Efficient.Training.Optimizers;

/// <summary>
/// LAMB, layer-wise adaptive moments for large-batch training (You et al., 2020, Algorithm 2).
/// For each parameter tensor (a "layer") p with gradient g and step count t:
/// <code>
/// m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
/// u = (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps) + weight_decay·p      // no bias correction when bias_correction = false
/// r = ‖p‖ / ‖u‖ clamped to [min_coeff, max_coeff], or 1 when ‖p‖ = 0 or ‖u‖ = 0
/// p ← p − lr · r · u
/// </code>
/// The trust ratio r rescales each layer's Adam step to the size of its weights, which keeps
/// very large batches (and their large learning rates) stable. The clamp follows DeepSpeed's
/// <c>FusedLamb</c> (<c>max_coeff</c> 10, <c>min_coeff</c> 0.01); the trust ratio is applied to every
/// layer (timm's <c>always_adapt</c>). The update runs entirely in tensor operations (no host sync).
/// </summary>
public sealed class Lamb : SlotOptimizer<Lamb.Options, Lamb.State>, optim.IBetas
{
    /// <summary>Creates the optimizer for one group of parameters.</summary>
    /// <param name="parameters">The parameters to optimize.</param>
    /// <param name="lr">The learning rate, in [0, +inf) (default 1e-3).</param>
    /// <param name="beta1">The coefficient of the running average of the gradient, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">The coefficient of the running average of its square, in [0, 1) (default 0.999).</param>
    /// <param name="eps">Added to the denominator, in [0, +inf) (default 1e-6).</param>
    /// <param name="weight_decay">Weight decay added to the update before the trust ratio, in [0, +inf) (default 0.01, as timm and the paper).</param>
    /// <param name="bias_correction">Bias-correct the moments (default true).</param>
    /// <param name="min_coeff">The lower clamp of the trust ratio, in [0, max_coeff] (default 0.01).</param>
    /// <param name="max_coeff">The upper clamp of the trust ratio, in (0, +inf) (default 10).</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it, its value and the valid range).</exception>
    public Lamb(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-6, double weight_decay = 0.01, bool bias_correction = true, double min_coeff = 0.01, double max_coeff = 10)
        : this(SingleGroup(parameters), lr, beta1, beta2, eps, weight_decay, bias_correction, min_coeff, max_coeff)
    {
    }

    /// <summary>Creates the optimizer for parameter groups; options a group leaves unset take these values.</summary>
    /// <inheritdoc cref="Lamb(IEnumerable{Parameter}, double, double, double, double, double, bool, double, double)"/>
    public Lamb(IEnumerable<ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-6, double weight_decay = 0.01, bool bias_correction = true, double min_coeff = 0.01, double max_coeff = 10)
        : base(nameof(Lamb), parameters, new Options { LearningRate = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = weight_decay, bias_correction = bias_correction, min_coeff = min_coeff, max_coeff = max_coeff })
    {
    }

    private protected override void FillDefaults(Options o, Options d) => Options.Fields.Fill(o, d);

    private protected override void Validate(Options o, int group)
    {
        OptimizerArgs.NonNegative(o.LearningRate!.Value, "lr", "learning rate", group);
        OptimizerArgs.UnitOpen(o.beta1!.Value, "beta1", "beta parameter at index 0", group);
        OptimizerArgs.UnitOpen(o.beta2!.Value, "beta2", "beta parameter at index 1", group);
        OptimizerArgs.NonNegative(o.eps!.Value, "eps", "epsilon value", group);
        OptimizerArgs.NonNegative(o.weight_decay!.Value, "weight_decay", "weight_decay value", group);
        OptimizerArgs.Positive(o.max_coeff!.Value, "max_coeff", "trust-ratio upper clamp", group);
        if (!(o.min_coeff!.Value >= 0 && o.min_coeff.Value <= o.max_coeff.Value))
            throw OptimizerArgs.Invalid("min_coeff", "trust-ratio lower clamp", OptimizerArgs.Format(o.min_coeff.Value), $"a value in [0, max_coeff = {OptimizerArgs.Format(o.max_coeff.Value)}]", group);
    }

    private protected override void StepGroup(Parameter[] parameters, Options o)
    {
        var lr = o.LearningRate!.Value;
        var (beta1, beta2, eps, wd) = (o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value);
        var (biasCorrection, minCoeff, maxCoeff) = (o.bias_correction!.Value, o.min_coeff!.Value, o.max_coeff!.Value);
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            var (m, v, t) = AdamMoments.Step(StateFor(p), p, g, beta1, beta2);
            var bc1 = biasCorrection ? 1 - Math.Pow(beta1, t) : 1.0;
            var bc2 = biasCorrection ? 1 - Math.Pow(beta2, t) : 1.0;
            var update = m.div(bc1);
            update.div_(v.div(bc2).sqrt_().add_(eps));
            if (wd != 0) update.add_(p, wd);
            update.mul_(TrustRatio(p, update, minCoeff, maxCoeff));
            p.add_(update, -lr);
        }
    }

    /// <summary>
    /// LAMB's trust ratio of one layer as a 0-dimensional tensor (no host sync):
    /// <c>‖weight‖ / ‖update‖</c> clamped to [<paramref name="minCoeff"/>, <paramref name="maxCoeff"/>],
    /// or 1 when either norm is 0.
    /// </summary>
    /// <param name="weight">The layer's weights.</param>
    /// <param name="update">The layer's Adam update (with weight decay).</param>
    /// <param name="minCoeff">The lower clamp, in [0, <paramref name="maxCoeff"/>].</param>
    /// <param name="maxCoeff">The upper clamp, in (0, +inf).</param>
    public static Tensor TrustRatio(Tensor weight, Tensor update, double minCoeff = 0.01, double maxCoeff = 10)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(update);
        OptimizerArgs.Positive(maxCoeff, nameof(maxCoeff), "trust-ratio upper clamp", -1);
        if (!(minCoeff >= 0 && minCoeff <= maxCoeff))
            throw OptimizerArgs.Invalid(nameof(minCoeff), "trust-ratio lower clamp", OptimizerArgs.Format(minCoeff), $"a value in [0, maxCoeff = {OptimizerArgs.Format(maxCoeff)}]", -1);
        using var scope = NewDisposeScope();
        var wn = weight.detach().norm();
        var un = update.detach().norm();
        var ratio = wn.div(un).clamp_(minCoeff, maxCoeff);
        var valid = wn.gt(0) & un.gt(0);
        return where(valid, ratio, ones_like(ratio)).MoveToOuterDisposeScope();
    }

    /// <summary>The default betas; setting them also sets the betas of every existing group.</summary>
    public (double, double) Betas
    {
        get => (((Options)_defaults).beta1 ?? 0.9, ((Options)_defaults).beta2 ?? 0.999);
        set => SetAll(o => (o.beta1, o.beta2) = value);
    }

    /// <summary>The state of one parameter: step count and running averages (null until its first update).</summary>
    public sealed class State : SlotState
    {
        /// <summary>An empty state.</summary>
        public State() : base(2) { }

        /// <summary>The running average of the gradient.</summary>
        public Tensor? exp_avg { get => GetSlot(0); set => SetSlot(0, value); }

        /// <summary>The running average of the squared gradient.</summary>
        public Tensor? exp_avg_sq { get => GetSlot(1); set => SetSlot(1, value); }
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
        /// <summary>Weight decay added to the update before the trust ratio.</summary>
        public double? weight_decay;
        /// <summary>Bias-correct the moments.</summary>
        public bool? bias_correction;
        /// <summary>The lower clamp of the trust ratio.</summary>
        public double? min_coeff;
        /// <summary>The upper clamp of the trust ratio.</summary>
        public double? max_coeff;

        /// <summary>The fields above, in the order of the saved format, with the value saved for an unset one.</summary>
        internal static readonly OptionFields<Options> Fields = new OptionFields<Options>()
            .Add(o => ref o.beta1, 0.9)
            .Add(o => ref o.beta2, 0.999)
            .Add(o => ref o.eps, 1e-6)
            .Add(o => ref o.weight_decay, 0)
            .Add(o => ref o.bias_correction, true)
            .Add(o => ref o.min_coeff, 0.01)
            .Add(o => ref o.max_coeff, 10);

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
