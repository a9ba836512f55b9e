using System;
using System.Linq;
using System.Collections.Generic;
using System.IO;

namespace Efficient.Training.Optimizers;

/// <summary>
/// LARS, layer-wise adaptive rate scaling for large-batch training (You, Gitman &amp; Ginsburg, 2017,
/// Algorithm 1). For each parameter tensor (a "layer") w with gradient g, per parameter group with
/// learning rate γ:
/// <code>
/// λ = trust_coefficient · ‖w‖ / (‖g‖ + weight_decay · ‖w‖ + eps)      // 1 when ‖w‖ = 0 or ‖g‖ = 0
/// v ← momentum · v + γ · λ · (g + weight_decay · w)                    // v = γ · λ · (g + weight_decay · w) at the first update
/// w ← w − v
/// </code>
/// With <c>exclude_1d</c> (the default), 1-D tensors (biases, normalization weights) take plain
/// momentum SGD instead: no trust ratio and no weight decay (<c>v ← momentum · v + γ · g</c>), as
/// the common implementations (SimCLR's and BYOL's LARS) exclude them. The momentum buffer holds
/// the learning rate, as in the paper. The trust ratio is computed on the device (no host sync).
/// To add the trust ratio to another optimizer, use <c>LarsAlgorithm</c> or <see cref="AdaptGradients(optim.Optimizer, double, Efficient.Training.Algorithms.LarsMode, double, double, bool)"/>.
/// </summary>
public sealed partial class Lars : SlotOptimizer<Lars.Options, Lars.State>, optim.IMomentum
{
    /// <summary>Creates the optimizer for one group of parameters.</summary>
    /// <param name="parameters">The parameters to optimize.</param>
    /// <param name="lr">The global learning rate γ, in [0, +inf) (no default, as SGD).</param>
    /// <param name="momentum">The momentum m, in [0, +inf) (default 0.9, the paper's).</param>
    /// <param name="weight_decay">The weight decay β added to the gradient, in [0, +inf) (default 0; the paper used 5e-4 for AlexNet).</param>
    /// <param name="trust_coefficient">The trust coefficient η, in (0, +inf) (default 0.001, the paper's).</param>
    /// <param name="eps">Added to the trust ratio's denominator, in [0, +inf) (default 1e-8, as timm).</param>
    /// <param name="exclude_1d">Leave 1-D tensors (biases, normalization weights) out of the trust ratio and the weight decay (default true).</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it, its value and the valid range).</exception>
    public Lars(IEnumerable<Parameter> parameters, double lr, double momentum = 0.9, double weight_decay = 0, double trust_coefficient = 0.001, double eps = 1e-8, bool exclude_1d = true)
        : this(SingleGroup(parameters), lr, momentum, weight_decay, trust_coefficient, eps, exclude_1d)
    {
    }

    /// <summary>Creates the optimizer for parameter groups; options a group leaves unset take these values.</summary>
    /// <inheritdoc cref="Lars(IEnumerable{Parameter}, double, double, double, double, double, bool)"/>
    public Lars(IEnumerable<ParamGroup> parameters, double lr, double momentum = 0.9, double weight_decay = 0, double trust_coefficient = 0.001, double eps = 1e-8, bool exclude_1d = true)
        : base(nameof(Lars), parameters, new Options { LearningRate = lr, momentum = momentum, weight_decay = weight_decay, trust_coefficient = trust_coefficient, eps = eps, exclude_1d = exclude_1d })
    {
    }

    private protected override void FillDefaults(Options o, Options d) => Options.Fields.Fill(o, d);

    private protected override void Validate(Options o, int group)
    {
        OptimizerArgs.NonNegative(o.LearningRate!.Value, "lr", "learning rate", group);
        OptimizerArgs.NonNegative(o.momentum!.Value, "momentum", "momentum", group);
        OptimizerArgs.NonNegative(o.weight_decay!.Value, "weight_decay", "weight_decay value", group);
        OptimizerArgs.Positive(o.trust_coefficient!.Value, "trust_coefficient", "trust coefficient", group);
        OptimizerArgs.NonNegative(o.eps!.Value, "eps", "epsilon value", group);
    }

    private protected override void StepGroup(Parameter[] parameters, Options o)
    {
        var lr = o.LearningRate!.Value;
        var (momentum, wd, eta, eps, exclude) = (o.momentum!.Value, o.weight_decay!.Value, o.trust_coefficient!.Value, o.eps!.Value, o.exclude_1d!.Value);
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            Tensor step;
            if (exclude && p.dim() <= 1)
            {
                step = g.mul(lr);
            }
            else
            {
                var d = wd != 0 ? g.add(p, wd) : g.clone();
                step = d.mul_(TrustRatio(p, g, eta, wd, eps)).mul_(lr);
            }
            if (momentum != 0) step = StateFor(p).MomentumStep(0, step, momentum, 1, adopt: true);
            p.sub_(step);
        }
    }

    /// <summary>The default momentum; setting it also sets the momentum of every existing group (OneCycleLR cycles it).</summary>
    public double Momentum
    {
        get => ((Options)_defaults).momentum ?? 0.9;
        set => SetAll(o => o.momentum = value);
    }

    /// <summary>The state of one parameter: its momentum buffer v (null until its first update with momentum).</summary>
    public sealed class State : SlotState
    {
        /// <summary>An empty state.</summary>
        public State() : base(1) { }

        /// <summary>The momentum buffer (it includes the learning rate, as the paper's v).</summary>
        public Tensor? momentum_buffer
        {
            get => GetSlot(0);
            set => SetSlot(0, value);
        }
    }

    /// <summary>The options of one parameter group (null: the optimizer's default).</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>The momentum m.</summary>
        public double? momentum;
        /// <summary>The weight decay β, added to the gradient (inside the trust ratio's denominator too).</summary>
        public double? weight_decay;
        /// <summary>The trust coefficient η.</summary>
        public double? trust_coefficient;
        /// <summary>Added to the trust ratio's denominator.</summary>
        public double? eps;
        /// <summary>Leave 1-D tensors out of the trust ratio and the weight decay.</summary>
        public bool? exclude_1d;

        /// <summary>The fields above, in the order of the saved format, with the value saved for an unset one.</summary>
        internal static readonly OptionFields<Options> Fields = new OptionFields<Options>()
            .Add(o => ref o.momentum, 0.9)
            .Add(o => ref o.weight_decay, 0)
            .Add(o => ref o.trust_coefficient, 0.001)
            .Add(o => ref o.eps, 1e-8)
            .Add(o => ref o.exclude_1d, true);

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
