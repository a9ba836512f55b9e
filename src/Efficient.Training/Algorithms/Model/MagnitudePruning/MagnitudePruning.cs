using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Gradual magnitude pruning (Zhu &amp; Gupta, 2017): the sparsity of the prunable weights grows from
/// s_i to s_f along the cubic schedule <c>s_t = s_f + (s_i − s_f)(1 − (t − t0)/(nΔt))³</c>, and at each
/// pruning step the weights of smallest magnitude are masked to zero (per layer, or with one threshold
/// across all prunable weights).
/// </summary>
public static class MagnitudePruning
{
    /// <summary>
    /// The target sparsity at time <paramref name="t"/>: 0 before <paramref name="start"/>,
    /// <c>s_f + (s_i − s_f)(1 − (t − start)/(end − start))³</c> between <paramref name="start"/> and
    /// <paramref name="end"/>, and <paramref name="finalSparsity"/> from <paramref name="end"/> on.
    /// All times are in the same unit (e.g. batches).
    /// </summary>
    /// <param name="t">The current time.</param>
    /// <param name="start">t0, when pruning starts (sparsity s_i).</param>
    /// <param name="end">t0 + nΔt, when the final sparsity is reached (≥ <paramref name="start"/>).</param>
    /// <param name="initialSparsity">s_i in [0, 1].</param>
    /// <param name="finalSparsity">s_f in [<paramref name="initialSparsity"/>, 1].</param>
    public static double Sparsity(double t, double start, double end, double initialSparsity, double finalSparsity)
    {
        if (double.IsNaN(t)) throw new ArgumentOutOfRangeException(nameof(t), t, "The time must be a number.");
        if (!double.IsFinite(start)) throw new ArgumentOutOfRangeException(nameof(start), start, "The start must be a finite number.");
        if (!double.IsFinite(end) || end < start) throw new ArgumentOutOfRangeException(nameof(end), end, $"The end must be a finite number >= start ({start.ToString(CultureInfo.InvariantCulture)}).");
        if (!(initialSparsity >= 0 && initialSparsity <= 1)) throw new ArgumentOutOfRangeException(nameof(initialSparsity), initialSparsity, "The initial sparsity must be in [0, 1].");
        if (!(finalSparsity >= initialSparsity && finalSparsity <= 1))
            throw new ArgumentOutOfRangeException(nameof(finalSparsity), finalSparsity, $"The final sparsity must be in [initialSparsity, 1] = [{initialSparsity.ToString(CultureInfo.InvariantCulture)}, 1].");
        if (t < start) return 0;
        if (t >= end) return finalSparsity;
        var remaining = 1 - (t - start) / (end - start);
        return finalSparsity + (initialSparsity - finalSparsity) * remaining * remaining * remaining;
    }

    /// <summary>
    /// Magnitude masks (1 = kept, 0 = pruned; each with its weight's shape and dtype) that prune a
    /// fraction <paramref name="sparsity"/> of the weights of smallest absolute value, as
    /// <c>torch.nn.utils.prune.l1_unstructured</c> (per tensor) or <c>global_unstructured</c> with
    /// <c>L1Unstructured</c> (<paramref name="global"/>: one threshold across all tensors, concatenated in order).
    /// The number pruned is <c>round(sparsity · n)</c> with round-half-to-even, as PyTorch. Ties are broken
    /// deterministically: among equal magnitudes the element that comes first (flattened, in tensor
    /// order) is pruned first. (PyTorch uses <c>topk</c>, whose choice among ties is unspecified.)
    /// </summary>
    /// <param name="weights">The weights to prune (floating point, not empty).</param>
    /// <param name="sparsity">The fraction to prune, in [0, 1].</param>
    /// <param name="global">One threshold across all weights (true) or one per tensor (false).</param>
    public static Tensor[] Masks(IReadOnlyList<Tensor> weights, double sparsity, bool global = false)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0) throw new ArgumentException("Masks needs at least one weight tensor.", nameof(weights));
        for (var i = 0; i < weights.Count; i++)
        {
            if (weights[i] is null) throw new ArgumentException($"weights[{i}] is null.", nameof(weights));
            if (!weights[i].is_floating_point()) throw new ArgumentException($"weights[{i}] has dtype {weights[i].dtype}; expected a floating-point tensor.", nameof(weights));
        }
        if (!(sparsity >= 0 && sparsity <= 1)) throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "The sparsity must be in [0, 1].");

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor[] masks;
        if (global)
        {
            var flat = cat(weights.Select(w => w.detach().abs().flatten().to_type(ScalarType.Float32)).ToArray());
            var all = Mask(flat, sparsity);
            masks = new Tensor[weights.Count];
            long offset = 0;
            for (var i = 0; i < weights.Count; i++)
            {
                var n = weights[i].numel();
                masks[i] = all.narrow(0, offset, n).reshape(weights[i].shape).to_type(weights[i].dtype).contiguous();
                offset += n;
            }
        }
        else
        {
            masks = weights.Select(w => Mask(w.detach().abs().flatten(), sparsity).reshape(w.shape).to_type(w.dtype).contiguous()).ToArray();
        }
        foreach (var m in masks) m.MoveToOuterDisposeScope();
        return masks;
    }

    /// <summary>Counts the zeros of each named weight: the sparsity actually reached, per layer and in total.</summary>
    /// <param name="weights">The weights, by name (e.g. <c>fc1.weight</c>).</param>
    public static SparsityReport Measure(IEnumerable<(string name, Tensor weight)> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var layers = new List<LayerSparsity>();
        using var _ = no_grad();
        foreach (var (name, weight) in weights)
        {
            ArgumentNullException.ThrowIfNull(weight, name);
            using var zero = weight.eq(0);
            using var zeros = zero.sum();
            layers.Add(new LayerSparsity(name, weight.numel(), zeros.ToInt64()));
        }
        return new SparsityReport(layers);
    }

    private static Tensor Mask(Tensor scores, double sparsity)
    {
        var n = scores.numel();
        var k = (long)Math.Round(sparsity * n, MidpointRounding.ToEven);
        var mask = ones(new long[] { n }, dtype: ScalarType.Float32, device: scores.device);
        if (k == 0) return mask;
        var order = scores.sort(0, descending: false, stable: true).Indices;
        var pruned = order.narrow(0, 0, k);
        return mask.scatter_(0, pruned, zeros(new long[] { k }, dtype: ScalarType.Float32, device: scores.device));
    }
}

/// <summary>The sparsity of one weight tensor.</summary>
/// <param name="Name">The weight's name (e.g. <c>fc1.weight</c>).</param>
/// <param name="Elements">How many elements it has.</param>
/// <param name="Zeros">How many of them are zero.</param>
public sealed record LayerSparsity(string Name, long Elements, long Zeros)
{
    /// <summary>The fraction of zeros, in [0, 1].</summary>
    public double Sparsity => Elements == 0 ? 0 : (double)Zeros / Elements;
}

/// <summary>The sparsity of the pruned weights, per layer and in total.</summary>
/// <param name="Layers">Each weight's sparsity, in model order.</param>
public sealed record SparsityReport(IReadOnlyList<LayerSparsity> Layers)
{
    /// <summary>The number of prunable elements.</summary>
    public long Elements => Layers.Sum(l => l.Elements);

    /// <summary>The number of zeros among them.</summary>
    public long Zeros => Layers.Sum(l => l.Zeros);

    /// <summary>The fraction of zeros over all prunable weights, in [0, 1].</summary>
    public double Sparsity => Elements == 0 ? 0 : (double)Zeros / Elements;

    /// <summary>One line: the total, then each layer, e.g. <c>sparsity 50.0% (60/120): fc1.weight 50.0%, fc2.weight 50.0%</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"sparsity {100 * Sparsity:F1}% ({Zeros}/{Elements})")
        + (Layers.Count == 0 ? "" : ": " + string.Join(", ", Layers.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Name} {100 * l.Sparsity:F1}%"))));
}
