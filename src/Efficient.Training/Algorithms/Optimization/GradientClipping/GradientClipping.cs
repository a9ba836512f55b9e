using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>How <see cref="GradientClipping"/> limits the gradients (Composer's <c>clipping_type</c>).</summary>
public enum ClippingType
{
    /// <summary><c>'norm'</c>: scale all gradients so that their global L2 norm is at most the threshold (<c>clip_grad_norm_</c>).</summary>
    Norm,
    /// <summary><c>'value'</c>: clamp every gradient element to [−threshold, threshold] (<c>clip_grad_value_</c>).</summary>
    Value,
    /// <summary><c>'adaptive'</c>: adaptive gradient clipping (AGC, Brock et al. 2021), unit-wise relative to the weights.</summary>
    Adaptive,
}

/// <summary>
/// Gradient clipping: by global norm, by value, or adaptive (AGC: each unit's gradient norm is
/// limited to λ times the unit's weight norm, <c>max(‖w‖, ε)</c>). Call it between backward and the
/// optimizer step:
/// <code>
/// loss.backward();
/// GradientClipping.Apply(model, ClippingType.Adaptive, 0.01);
/// optimizer.step();
/// </code>
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Clips the gradients of <paramref name="model"/>'s parameters. Norm and value clipping act on all
    /// parameters; adaptive clipping skips the final linear layer when <paramref name="excludeFinalLayer"/>
    /// (as Brock et al. do for the classifier).
    /// </summary>
    /// <param name="model">The model whose gradients to clip.</param>
    /// <param name="type">Norm, value or adaptive.</param>
    /// <param name="threshold">The max norm, max value or λ (&gt; 0).</param>
    /// <param name="excludeFinalLayer">Adaptive only: leave the last <c>Linear</c> module's parameters unclipped.</param>
    /// <param name="epsilon">Adaptive only: the smallest weight norm (default 1e-3).</param>
    /// <returns>For norm clipping, the global norm before clipping; otherwise NaN.</returns>
    public static double Apply(nn.Module model, ClippingType type, double threshold, bool excludeFinalLayer = true, double epsilon = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(model);
        switch (type)
        {
            case ClippingType.Norm:
                return ClipByNorm(model.parameters(), threshold);
            case ClippingType.Value:
                ClipByValue(model.parameters(), threshold);
                return double.NaN;
            case ClippingType.Adaptive:
                var excluded = excludeFinalLayer ? FinalLayerParameters(model).ToHashSet() : new HashSet<string>();
                ClipAdaptive(model.named_parameters().Where(p => !excluded.Contains(p.name)).Select(p => p.parameter), threshold, epsilon);
                return double.NaN;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Expected Norm, Value or Adaptive.");
        }
    }

    /// <summary>Scales the gradients so their global L2 norm is at most <paramref name="maxNorm"/> (PyTorch's <c>clip_grad_norm_</c>); returns the norm before clipping.</summary>
    /// <param name="parameters">The parameters whose gradients to clip (those without a gradient are skipped).</param>
    /// <param name="maxNorm">The largest allowed norm (&gt; 0).</param>
    public static double ClipByNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0) || double.IsInfinity(maxNorm)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be a finite value > 0.");
        return nn.utils.clip_grad_norm_(parameters, maxNorm);
    }

    /// <summary>Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>] (PyTorch's <c>clip_grad_value_</c>).</summary>
    /// <param name="parameters">The parameters whose gradients to clip.</param>
    /// <param name="clipValue">The largest allowed magnitude (&gt; 0).</param>
    public static void ClipByValue(IEnumerable<Parameter> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue > 0) || double.IsInfinity(clipValue)) throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "The clip value must be a finite value > 0.");
        nn.utils.clip_grad_value_(parameters, clipValue);
    }

    /// <summary>
    /// Adaptive gradient clipping (Brock et al., 2021), unit-wise: for each unit (row of a weight, i.e.
    /// all dimensions but the first; the whole tensor for biases and scalars) the gradient is scaled
    /// by <c>min(1, λ·max(‖w‖, ε) / ‖g‖)</c>.
    /// </summary>
    /// <param name="parameters">The parameters to clip (those without a gradient are skipped).</param>
    /// <param name="threshold">λ &gt; 0 (0.01 in the paper for large batches).</param>
    /// <param name="epsilon">The smallest weight norm, &gt; 0 (default 1e-3), so zero-initialized weights can move.</param>
    public static void ClipAdaptive(IEnumerable<Parameter> parameters, double threshold, double epsilon = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(threshold > 0) || double.IsInfinity(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The AGC threshold λ must be a finite value > 0.");
        if (!(epsilon > 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The AGC epsilon must be a finite value > 0.");
        using (NewDisposeScope())
        using (no_grad())
        {
            foreach (var p in parameters)
            {
                if (p is null) throw new ArgumentException("A parameter is null.", nameof(parameters));
                if (p.grad is not { } g) continue;
                var weightNorm = UnitwiseNorm(p.detach()).clamp_(min: epsilon);
                var gradNorm = UnitwiseNorm(g);
                var coefficient = (weightNorm * threshold / gradNorm).nan_to_num(nan: 1.0).clamp_(max: 1.0);
                g.mul_(coefficient);
            }
        }
    }

    /// <summary>The names of the parameters of the last <c>Linear</c> module (in <c>named_modules()</c> order), or none.</summary>
    public static IReadOnlyList<string> FinalLayerParameters(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var last = model.named_modules().LastOrDefault(m => m.module is Linear);
        if (last.module is null) return Array.Empty<string>();
        var prefix = last.name.Length == 0 ? "" : last.name + ".";
        return last.module.named_parameters().Select(p => prefix + p.name).ToList();
    }

    private static Tensor UnitwiseNorm(Tensor t)
    {
        if (t.dim() <= 1) return t.norm();
        return t.square().sum(Enumerable.Range(1, (int)t.dim() - 1).Select(d => (long)d).ToArray(), keepdim: true).sqrt();
    }
}
