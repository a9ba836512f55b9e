using System;
using System.Collections.Generic;
using Efficient.Training.Algorithms;

namespace Efficient.Training.Optimizers;

// The functional forms of LARS: the trust ratio of one layer, and LARC's gradient adaptation that
// puts the trust ratio in front of any optimizer's step (what LarsAlgorithm calls).
public sealed partial class Lars
{
    /// <summary>
    /// The LARS trust ratio of one layer as a 0-dimensional tensor (no host sync):
    /// <c>trustCoefficient · ‖weight‖ / (‖grad‖ + weightDecay · ‖weight‖ + eps)</c>, or 1 when
    /// ‖weight‖ = 0 or ‖grad‖ = 0 (You et al., 2017, eq. 6; the local learning rate is γ times it).
    /// </summary>
    /// <param name="weight">The layer's weights.</param>
    /// <param name="grad">The layer's gradient (without weight decay).</param>
    /// <param name="trustCoefficient">η, in (0, +inf) (default 0.001, the paper's).</param>
    /// <param name="weightDecay">β, in [0, +inf) (default 0).</param>
    /// <param name="eps">Added to the denominator, in [0, +inf) (default 1e-8).</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public static Tensor TrustRatio(Tensor weight, Tensor grad, double trustCoefficient = 0.001, double weightDecay = 0, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(grad);
        CheckRatioArgs(trustCoefficient, weightDecay, eps);
        CheckShapes(weight, grad);
        using var scope = NewDisposeScope();
        var (ratio, valid) = RatioAndValid(weight, grad, trustCoefficient, weightDecay, eps);
        return where(valid, ratio, ones_like(ratio)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// LARC (NVIDIA apex's <c>apex.parallel.LARC</c>): rewrites the gradients of every parameter
    /// group of <paramref name="optimizer"/> in place so that its next <c>step()</c> takes a
    /// layer-wise adapted step. For each tensor p with gradient g, in a group with learning rate lr:
    /// <code>
    /// r = trustCoefficient · ‖p‖ / (‖g‖ + weightDecay · ‖p‖ + eps)
    /// f = r (Scale) or min(r / lr, 1) (Clip: the local rate lr·f is min(r, lr); f = 1 when lr = 0)
    /// g ← (g + weightDecay · p) · f                // left unchanged when ‖p‖ = 0 or ‖g‖ = 0
    /// </code>
    /// Call it after <c>backward()</c>, right before <c>optimizer.step()</c>; give the optimizer no
    /// weight decay of its own (it is added here, as LARC absorbs it). With
    /// <paramref name="excludeOneDimensional"/>, 1-D tensors (biases, normalization weights) keep their gradient.
    /// </summary>
    /// <param name="optimizer">The optimizer whose parameter groups (and their learning rates) are adapted.</param>
    /// <param name="trustCoefficient">η, in (0, +inf) (default 0.02, apex's).</param>
    /// <param name="mode">Scale or Clip (default Clip, apex's <c>clip=True</c>).</param>
    /// <param name="weightDecay">Weight decay added to the gradient, in [0, +inf) (default 0).</param>
    /// <param name="eps">Added to the denominator, in [0, +inf) (default 1e-8, apex's).</param>
    /// <param name="excludeOneDimensional">Leave 1-D tensors unchanged (default true).</param>
    /// <exception cref="ArgumentException">A value is out of range, or a parameter group is not a <see cref="ParamGroup"/>.</exception>
    public static void AdaptGradients(optim.Optimizer optimizer, double trustCoefficient = 0.02, LarsMode mode = LarsMode.Clip, double weightDecay = 0, double eps = 1e-8, bool excludeOneDimensional = true)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        CheckRatioArgs(trustCoefficient, weightDecay, eps);
        CheckMode(mode);
        var index = 0;
        foreach (var group in optimizer.ParamGroups)
        {
            if (group is not ParamGroup pg)
                throw new ArgumentException($"Parameter group {index} of the optimizer is a {OptimizerArgs.TypeName(group)}; expected a ParamGroup (with parameters and a learning rate).", nameof(optimizer));
            Adapt(pg.Parameters, pg.LearningRate, trustCoefficient, mode, weightDecay, eps, excludeOneDimensional);
            index++;
        }
    }

    /// <summary>
    /// LARC for parameters that share one learning rate (a hand-written loop without an optimizer
    /// object, or one group): the same as <see cref="AdaptGradients(optim.Optimizer, double, LarsMode, double, double, bool)"/>.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients are adapted (those without a gradient are skipped).</param>
    /// <param name="learningRate">Their learning rate (used by Clip), in [0, +inf).</param>
    /// <param name="trustCoefficient">η, in (0, +inf) (default 0.02, apex's).</param>
    /// <param name="mode">Scale or Clip (default Clip).</param>
    /// <param name="weightDecay">Weight decay added to the gradient, in [0, +inf) (default 0).</param>
    /// <param name="eps">Added to the denominator, in [0, +inf) (default 1e-8).</param>
    /// <param name="excludeOneDimensional">Leave 1-D tensors unchanged (default true).</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public static void AdaptGradients(IEnumerable<Parameter> parameters, double learningRate, double trustCoefficient = 0.02, LarsMode mode = LarsMode.Clip, double weightDecay = 0, double eps = 1e-8, bool excludeOneDimensional = true)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptimizerArgs.NonNegative(learningRate, nameof(learningRate), "learning rate", -1);
        CheckRatioArgs(trustCoefficient, weightDecay, eps);
        CheckMode(mode);
        Adapt(parameters, learningRate, trustCoefficient, mode, weightDecay, eps, excludeOneDimensional);
    }

    private static void Adapt(IEnumerable<Parameter> parameters, double lr, double eta, LarsMode mode, double wd, double eps, bool exclude)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null || (exclude && p.dim() <= 1)) continue;
            var (ratio, valid) = RatioAndValid(p, g, eta, wd, eps);
            var factor = mode == LarsMode.Scale ? ratio : lr > 0 ? ratio.div(lr).clamp_max_(1.0) : ones_like(ratio);
            var adapted = wd != 0 ? g.add(p, wd) : g.clone();
            adapted.mul_(factor);
            g.copy_(where(valid, adapted, g));
        }
    }

    private static (Tensor ratio, Tensor valid) RatioAndValid(Tensor weight, Tensor grad, double eta, double wd, double eps)
    {
        var wn = weight.detach().norm();
        var gn = grad.detach().norm();
        var ratio = wn.mul(eta).div_(gn.add(wn, wd).add_(eps));
        return (ratio, wn.gt(0) & gn.gt(0));
    }

    private static void CheckRatioArgs(double trustCoefficient, double weightDecay, double eps)
    {
        OptimizerArgs.Positive(trustCoefficient, nameof(trustCoefficient), "trust coefficient", -1);
        OptimizerArgs.NonNegative(weightDecay, nameof(weightDecay), "weight decay", -1);
        OptimizerArgs.NonNegative(eps, nameof(eps), "epsilon value", -1);
    }

    private static void CheckMode(LarsMode mode)
    {
        if (!Enum.IsDefined(mode)) throw OptimizerArgs.Invalid(nameof(mode), "LARS mode", mode.ToString(), "Scale or Clip", -1);
    }

    private static void CheckShapes(Tensor weight, Tensor grad)
    {
        if (!weight.shape.AsSpan().SequenceEqual(grad.shape))
            throw new ArgumentException($"The gradient has shape [{string.Join(", ", grad.shape)}] but the weight has [{string.Join(", ", weight.shape)}]; expected equal shapes.", nameof(grad));
    }
}
