using System;
using System.Linq;
using System.Collections.Generic;
using System.IO;

namespace Efficient.Training.Optimizers;

/// <summary>
/// SGD with weight decay decoupled from the learning rate (Loshchilov &amp; Hutter, 2019), exactly
/// as Composer's <c>DecoupledSGDW</c>. For each parameter p with gradient g, per parameter group:
/// <code>
/// d = g
/// if momentum != 0:  b = g (first update) or momentum·b + (1 − dampening)·g;  d = nesterov ? g + momentum·b : b
/// if weight_decay != 0:  p ← p · (1 − (lr / initial_lr) · weight_decay)     // (lr / initial_lr) = 1 when initial_lr = 0
/// p ← p − lr · d
/// </code>
/// The decay follows the learning-rate <em>schedule</em> (lr / initial_lr) but is not multiplied
/// by the learning rate, so <c>weight_decay</c> is the fraction every weight loses per step at the
/// initial LR: use values around 1e-5…1e-4, much smaller than <c>torch.optim.SGD</c>'s.
/// </summary>
public sealed class DecoupledSGDW : SlotOptimizer<DecoupledSGDW.Options, DecoupledSGDW.State>, optim.IMomentum
{
    /// <summary>Creates the optimizer for one group of parameters.</summary>
    /// <param name="parameters">The parameters to optimize.</param>
    /// <param name="lr">The learning rate, in [0, +inf) (no default, as in PyTorch and Composer).</param>
    /// <param name="momentum">The momentum factor, in [0, +inf) (default 0: none).</param>
    /// <param name="dampening">Dampening of the momentum, finite (default 0).</param>
    /// <param name="weight_decay">The decoupled weight decay, in [0, 1) (default 0).</param>
    /// <param name="nesterov">Nesterov momentum (needs momentum &gt; 0 and dampening 0; default false).</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it, its value and the valid range).</exception>
    public DecoupledSGDW(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false)
        : this(SingleGroup(parameters), lr, momentum, dampening, weight_decay, nesterov)
    {
    }

    /// <summary>Creates the optimizer for parameter groups; options a group leaves unset take these values.</summary>
    /// <inheritdoc cref="DecoupledSGDW(IEnumerable{Parameter}, double, double, double, double, bool)"/>
    public DecoupledSGDW(IEnumerable<ParamGroup> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false)
        : base(nameof(DecoupledSGDW), parameters, new Options { LearningRate = lr, momentum = momentum, dampening = dampening, weight_decay = weight_decay, nesterov = nesterov })
    {
    }

    private protected override void FillDefaults(Options o, Options d) => Options.Fields.Fill(o, d);

    private protected override void Validate(Options o, int group)
    {
        OptimizerArgs.NonNegative(o.LearningRate!.Value, "lr", "learning rate", group);
        OptimizerArgs.NonNegative(o.momentum!.Value, "momentum", "momentum", group);
        OptimizerArgs.Finite(o.dampening!.Value, "dampening", "dampening", group);
        OptimizerArgs.UnitOpen(o.weight_decay!.Value, "weight_decay", "weight_decay value", group);
        if (o.nesterov!.Value && (o.momentum.Value <= 0 || o.dampening.Value != 0))
            throw OptimizerArgs.Invalid("nesterov", "Nesterov momentum", "true",
                $"momentum > 0 and dampening = 0 (got momentum = {OptimizerArgs.Format(o.momentum.Value)}, dampening = {OptimizerArgs.Format(o.dampening.Value)})", group);
    }

    private protected override void StepGroup(Parameter[] parameters, Options o)
    {
        var lr = o.LearningRate!.Value;
        var momentum = o.momentum!.Value;
        var dampening = o.dampening!.Value;
        var nesterov = o.nesterov!.Value;
        var wd = o.weight_decay!.Value;
        var keep = 1 - DecoupledWeightDecay.ScheduleFactor(lr, o.InitialLearningRate) * wd;
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            var d = g;
            if (momentum != 0)
            {
                var buffer = StateFor(p).MomentumStep(0, g, momentum, 1 - dampening, adopt: false);
                d = nesterov ? g.add(buffer, momentum) : buffer;
            }
            if (wd != 0) p.mul_(keep);
            p.add_(d, -lr);
        }
    }

    /// <summary>The default momentum; setting it also sets the momentum of every existing group (OneCycleLR cycles it).</summary>
    public double Momentum
    {
        get => ((Options)_defaults).momentum ?? 0;
        set => SetAll(o => o.momentum = value);
    }

    /// <summary>The state of one parameter: its momentum buffer (null until its first update with momentum).</summary>
    public sealed class State : SlotState
    {
        /// <summary>An empty state.</summary>
        public State() : base(1) { }

        /// <summary>The momentum buffer.</summary>
        public Tensor? momentum_buffer
        {
            get => GetSlot(0);
            set => SetSlot(0, value);
        }
    }

    /// <summary>The options of one parameter group (null: the optimizer's default).</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>The momentum factor.</summary>
        public double? momentum;
        /// <summary>Dampening of the momentum.</summary>
        public double? dampening;
        /// <summary>The decoupled weight decay (fraction of each weight removed per step at the initial LR).</summary>
        public double? weight_decay;
        /// <summary>Nesterov momentum.</summary>
        public bool? nesterov;

        /// <summary>The fields above, in the order of the saved format, with the value saved for an unset one.</summary>
        internal static readonly OptionFields<Options> Fields = new OptionFields<Options>()
            .Add(o => ref o.momentum, 0)
            .Add(o => ref o.dampening, 0)
            .Add(o => ref o.weight_decay, 0)
            .Add(o => ref o.nesterov, false);

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

/// <summary>The decoupled weight decay step shared by <see cref="DecoupledSGDW"/> and <see cref="DecoupledAdamW"/>, as a functional form.</summary>
public static class DecoupledWeightDecay
{
    /// <summary>
    /// The schedule factor of the decay: <c>lr / initial_lr</c>, or 1 when <paramref name="initialLearningRate"/>
    /// is 0 (Composer's rule), so the decay follows the LR schedule without being scaled by the LR.
    /// </summary>
    public static double ScheduleFactor(double learningRate, double initialLearningRate)
        => initialLearningRate != 0 ? learningRate / initialLearningRate : 1.0;

    /// <summary>
    /// Applies <c>p ← p · (1 − (lr / initial_lr) · weight_decay)</c> in place to every tensor of
    /// <paramref name="parameters"/> (under <c>no_grad</c>), for a hand-written loop that keeps its
    /// optimizer: call it right before <c>optimizer.step()</c> with the optimizer's weight decay set to 0.
    /// </summary>
    /// <param name="parameters">The weights to decay.</param>
    /// <param name="learningRate">The current learning rate, in [0, +inf).</param>
    /// <param name="initialLearningRate">The learning rate the schedule started from, in [0, +inf).</param>
    /// <param name="weightDecay">The decoupled weight decay, in [0, 1).</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public static void Apply(IEnumerable<Tensor> parameters, double learningRate, double initialLearningRate, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptimizerArgs.NonNegative(learningRate, nameof(learningRate), "learning rate", -1);
        OptimizerArgs.NonNegative(initialLearningRate, nameof(initialLearningRate), "initial learning rate", -1);
        OptimizerArgs.UnitOpen(weightDecay, nameof(weightDecay), "weight decay", -1);
        if (weightDecay == 0) return;
        var keep = 1 - ScheduleFactor(learningRate, initialLearningRate) * weightDecay;
        using (no_grad())
            foreach (var p in parameters) p.mul_(keep);
    }
}
