using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Weight standardization (Qiao et al., 2019): convolution weights are re-parametrised so that each
/// output channel's weights have mean 0 and variance 1 over the input-channel and kernel dimensions,
/// computed in every forward pass. It smooths the loss landscape and pairs well with group or
/// layer normalisation and small per-device batches.
/// </summary>
public static class WeightStandardization
{
    /// <summary>
    /// (W − mean) / √(var + eps), with the mean and the biased variance of each output channel
    /// (dimension 0) over all other dimensions, as Composer's <c>_standardize_weights</c>.
    /// Differentiable.
    /// </summary>
    /// <param name="weight">A weight [out, ...] with at least two dimensions.</param>
    /// <param name="eps">Added to the variance, &gt; 0 (default 1e-5).</param>
    /// <exception cref="ArgumentException">The weight has fewer than two dimensions.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eps"/> is not positive.</exception>
    public static Tensor Standardize(Tensor weight, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() < 2)
            throw new ArgumentException($"WeightStandardization: the weight has shape [{string.Join(", ", weight.shape)}]; expected [out, in, ...] with at least two dimensions.", nameof(weight));
        CheckEps(eps);
        using var scope = NewDisposeScope();
        var dims = Enumerable.Range(1, (int)weight.dim() - 1).Select(d => (long)d).ToArray();
        var mean = weight.mean(dims, keepdim: true);
        var variance = weight.var(dims, unbiased: false, keepdim: true);
        return ((weight - mean) / (variance + eps).sqrt()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Replaces the Conv2d layers below <paramref name="model"/>, in registration order
    /// (<c>named_modules()</c>), by <see cref="StandardizedConv2d"/>, except the last
    /// <paramref name="nLastLayersIgnore"/> (e.g. a convolutional classifier head). The replacements
    /// keep the original parameters, so an optimizer built before stays valid.
    /// </summary>
    /// <param name="model">The model to change in place.</param>
    /// <param name="nLastLayersIgnore">How many of the last Conv2d layers to leave alone, ≥ 0 (default 0).</param>
    /// <param name="eps">Added to the variance, &gt; 0 (default 1e-5).</param>
    /// <returns>How many convolutions were standardized.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count or eps is out of range.</exception>
    public static int Apply(nn.Module model, int nLastLayersIgnore = 0, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (nLastLayersIgnore < 0)
            throw new ArgumentOutOfRangeException(nameof(nLastLayersIgnore), nLastLayersIgnore, $"nLastLayersIgnore is {nLastLayersIgnore}; expected 0 or more.");
        CheckEps(eps);
        return SurgeryHelpers.ReplaceAll(model, Selector(model, nLastLayersIgnore, eps));
    }

    /// <summary>Selects every Conv2d of <paramref name="model"/> but the last <paramref name="nLastLayersIgnore"/>.</summary>
    internal static Func<string, nn.Module, nn.Module?> Selector(nn.Module model, int nLastLayersIgnore, double eps)
    {
        var convs = model.named_modules().Where(m => m.module is Conv2d).Select(m => m.module).ToList();
        var chosen = convs.Take(Math.Max(0, convs.Count - nLastLayersIgnore)).ToHashSet(System.Collections.Generic.ReferenceEqualityComparer.Instance);
        return (_, m) => m is Conv2d conv && chosen.Contains(conv) ? new StandardizedConv2d(conv, eps) : null;
    }

    internal static void CheckEps(double eps)
    {
        if (!(eps > 0) || double.IsInfinity(eps))
            throw new ArgumentOutOfRangeException(nameof(eps), eps, $"eps is {eps}; expected a finite value > 0.");
    }
}
