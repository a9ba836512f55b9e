using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>How the global sparsity of a sparse network is shared among its layers.</summary>
public enum SparsityDistribution
{
    /// <summary>Every sparse layer has the global sparsity S.</summary>
    Uniform,

    /// <summary>
    /// Erdős–Rényi-Kernel (Evci et al., 2020): the density of a layer is proportional to
    /// (sum of its weight's dimensions) / (product of its dimensions), scaled so that the sparse layers
    /// together reach S; a layer whose density would exceed 1 is made dense and the others rescaled.
    /// </summary>
    ErdosRenyiKernel,
}

/// <summary>
/// RigL, dynamic sparse training (Evci, Gale, Menick, Castro, Elsen, 2020): the network is sparse from
/// the start (random masks at a per-layer sparsity, <see cref="LayerSparsities"/>) and every ΔT steps
/// until T_end each layer drops the fraction <see cref="DropFraction"/> of its active weights with the
/// smallest magnitude and regrows as many inactive connections with the largest dense-gradient
/// magnitude (<see cref="UpdateMask"/>, <see cref="Update"/>), so the number of parameters stays constant.
/// Masks are float tensors shaped like their weights (1 = active, 0 = inactive).
/// </summary>
public static class RigL
{
    /// <summary>
    /// The sparsity of each layer for a global sparsity <paramref name="sparsity"/> over the layers of
    /// <paramref name="shapes"/> (weight shapes: [out, in] for linear layers, [out, in, k...] for
    /// convolutions). <see cref="SparsityDistribution.Uniform"/> gives every layer S;
    /// <see cref="SparsityDistribution.ErdosRenyiKernel"/> follows the RigL authors' <c>get_sparsities_erdos_renyi</c>:
    /// density_l = ε · (Σ dims_l / Π dims_l), with ε chosen so that Σ density_l · n_l equals the number of
    /// weights kept (each layer keeps n_l − ⌊S · n_l⌋); while the largest density exceeds 1, the layers
    /// with the largest raw density are made dense (sparsity 0) and ε is solved again over the others.
    /// </summary>
    /// <param name="shapes">The weight shapes (at least one, each with at least one dimension and no zero dimension).</param>
    /// <param name="sparsity">The global sparsity S in [0, 1).</param>
    /// <param name="distribution">How S is distributed.</param>
    public static double[] LayerSparsities(IReadOnlyList<long[]> shapes, double sparsity, SparsityDistribution distribution = SparsityDistribution.ErdosRenyiKernel)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        if (shapes.Count == 0) throw new ArgumentException("LayerSparsities needs at least one weight shape.", nameof(shapes));
        for (var i = 0; i < shapes.Count; i++)
            if (shapes[i] is null || shapes[i].Length == 0 || shapes[i].Any(d => d <= 0))
                throw new ArgumentException($"shapes[{i}] is [{(shapes[i] is null ? "null" : string.Join(", ", shapes[i]))}]; expected at least one dimension, all positive.", nameof(shapes));
        if (!(sparsity >= 0 && sparsity < 1)) throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "The sparsity must be in [0, 1).");
        if (!Enum.IsDefined(distribution)) throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Expected Uniform or ErdosRenyiKernel.");

        var n = shapes.Count;
        if (distribution == SparsityDistribution.Uniform) return Enumerable.Repeat(sparsity, n).ToArray();

        var dense = new bool[n];
        var raw = new double[n];
        double epsilon;
        while (true)
        {
            double divisor = 0, rhs = 0;
            for (var i = 0; i < n; i++)
            {
                var count = Product(shapes[i]);
                var zeros = (long)Math.Floor(sparsity * count);
                if (dense[i])
                {
                    rhs -= zeros;
                    continue;
                }
                rhs += count - zeros;
                raw[i] = (double)shapes[i].Sum() / count;
                divisor += raw[i] * count;
            }
            if (divisor == 0) return new double[n];   // every layer dense
            epsilon = rhs / divisor;
            var maxRaw = Enumerable.Range(0, n).Where(i => !dense[i]).Max(i => raw[i]);
            if (maxRaw * epsilon <= 1) break;
            for (var i = 0; i < n; i++)
                if (!dense[i] && raw[i] == maxRaw) dense[i] = true;
        }
        return Enumerable.Range(0, n).Select(i => dense[i] ? 0.0 : Math.Clamp(1 - epsilon * raw[i], 0, 1)).ToArray();
    }

    /// <summary>
    /// A random mask shaped <paramref name="shape"/> with exactly ⌊<paramref name="sparsity"/> · n⌋
    /// zeros at positions drawn uniformly from <paramref name="generator"/> (a random permutation), as
    /// the RigL authors' <c>get_mask_random</c>.
    /// </summary>
    /// <param name="shape">The weight's shape.</param>
    /// <param name="sparsity">The fraction of zeros in [0, 1].</param>
    /// <param name="generator">The random generator (null: the global one).</param>
    /// <param name="dtype">The mask's dtype (default float32).</param>
    /// <param name="device">The mask's device (default CPU).</param>
    public static Tensor RandomMask(long[] shape, double sparsity, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d < 0)) throw new ArgumentException($"The shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
        if (!(sparsity >= 0 && sparsity <= 1)) throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "The sparsity must be in [0, 1].");
        using var scope = NewDisposeScope();
        var count = Product(shape);
        var zeros = (long)Math.Floor(sparsity * count);
        var mask = ones(new[] { count }, dtype: dtype, device: device);
        if (zeros > 0)
        {
            var order = randperm(count, generator: generator).to(mask.device);
            mask.index_fill_(0, order.narrow(0, 0, zeros), 0);
        }
        return mask.reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The drop fraction at step <paramref name="step"/>: the cosine annealing of RigL,
    /// f(t) = α/2 · (1 + cos(π t / T_end)) for 0 ≤ t &lt; T_end, and 0 from T_end on (no more updates).
    /// </summary>
    /// <param name="step">t, the step (≥ 0).</param>
    /// <param name="alpha">α, the initial drop fraction in [0, 1].</param>
    /// <param name="endStep">T_end, the step at which updates stop (&gt; 0).</param>
    public static double DropFraction(double step, double alpha, double endStep)
    {
        if (!(step >= 0)) throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be >= 0.");
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The drop fraction alpha must be in [0, 1].");
        if (!(endStep > 0) || double.IsInfinity(endStep)) throw new ArgumentOutOfRangeException(nameof(endStep), endStep, "The end step must be a finite number > 0.");
        return step >= endStep ? 0 : alpha / 2 * (1 + Math.Cos(Math.PI * step / endStep));
    }

    /// <summary>
    /// One RigL mask update of one layer. Of the n active connections (mask 1), k = ⌊n · f⌋ with the
    /// smallest |w| are dropped; then the k connections not kept with the largest |gradient| are grown
    /// (a connection dropped now may be grown again). Returns the new mask (same shape and dtype as
    /// <paramref name="mask"/>, again n ones). Ties are broken by position: among equal magnitudes the
    /// later element is dropped first and the earlier element is grown first (the authors' code adds
    /// noise of standard deviation 1e-5 to the drop scores instead). Inactive connections are never
    /// "kept" by the drop step, even when active weights are exactly 0.
    /// </summary>
    /// <param name="weight">The layer's weight (inactive entries are ignored).</param>
    /// <param name="mask">The current mask (1 active, 0 inactive), shaped like <paramref name="weight"/>.</param>
    /// <param name="gradient">The dense gradient of the loss with respect to the (masked) weight, shaped like it.</param>
    /// <param name="dropFraction">f in [0, 1], the fraction of the active connections to replace.</param>
    public static Tensor UpdateMask(Tensor weight, Tensor mask, Tensor gradient, double dropFraction)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(gradient);
        if (!mask.shape.SequenceEqual(weight.shape))
            throw new ArgumentException($"The mask has shape [{string.Join(", ", mask.shape)}]; expected the weight's shape [{string.Join(", ", weight.shape)}].", nameof(mask));
        if (!gradient.shape.SequenceEqual(weight.shape))
            throw new ArgumentException($"The gradient has shape [{string.Join(", ", gradient.shape)}]; expected the weight's shape [{string.Join(", ", weight.shape)}].", nameof(gradient));
        if (!(dropFraction >= 0 && dropFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(dropFraction), dropFraction, "The drop fraction must be in [0, 1].");

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var active = mask.detach().flatten().ne(0);
        var total = active.numel();
        var ones = active.sum().ToInt64();
        var drop = (long)Math.Floor(ones * dropFraction);
        var keep = ones - drop;

        // Keep the `keep` active connections of largest |w| (descending, stable: earlier first among ties).
        var dropScore = weight.detach().flatten().abs().to_type(ScalarType.Float64).masked_fill(active.logical_not(), double.NegativeInfinity);
        var kept = zeros(new[] { total }, ScalarType.Bool, device: mask.device);
        if (keep > 0) kept.index_fill_(0, dropScore.sort(0, descending: true, stable: true).Indices.narrow(0, 0, keep), true);

        // Grow `drop` connections among the others (inactive or just dropped) of largest |gradient|.
        var grown = zeros(new[] { total }, ScalarType.Bool, device: mask.device);
        if (drop > 0)
        {
            var growScore = gradient.detach().flatten().abs().to_type(ScalarType.Float64).masked_fill(kept, double.NegativeInfinity);
            grown.index_fill_(0, growScore.sort(0, descending: true, stable: true).Indices.narrow(0, 0, drop), true);
        }
        return kept.logical_or(grown).reshape(mask.shape).to_type(mask.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One RigL update of every layer, in place: each mask is replaced by <see cref="UpdateMask"/> (the
    /// gradient is the weight's <c>.grad</c>, the dense gradient when the weight holds its zeros
    /// itself), connections that were inactive and are grown are set to 0 (the authors' default
    /// <c>grow_init='zeros'</c>) and their optimizer state (momentum, Adam moments) is zeroed when
    /// <paramref name="optimizer"/> is given, and the weights are multiplied by their new masks.
    /// Returns how many connections each layer grew that were inactive before.
    /// </summary>
    /// <param name="weights">The sparse weights (each with a gradient).</param>
    /// <param name="masks">Their masks, replaced in place.</param>
    /// <param name="dropFraction">f in [0, 1] (see <see cref="DropFraction"/>).</param>
    /// <param name="optimizer">The optimizer whose state of the grown connections is reset, or null.</param>
    public static long[] Update(IReadOnlyList<Parameter> weights, IReadOnlyList<Tensor> masks, double dropFraction, optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(masks);
        if (weights.Count != masks.Count)
            throw new ArgumentException($"{masks.Count} masks for {weights.Count} weights; expected one mask per weight.", nameof(masks));
        for (var i = 0; i < weights.Count; i++)
        {
            if (weights[i] is null) throw new ArgumentException($"weights[{i}] is null.", nameof(weights));
            if (weights[i].grad is null) throw new ArgumentException($"weights[{i}] has no gradient; run backward before the RigL update.", nameof(weights));
            if (masks[i] is null) throw new ArgumentException($"masks[{i}] is null.", nameof(masks));
        }
        var grownCounts = new long[weights.Count];
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (var i = 0; i < weights.Count; i++)
        {
            var weight = weights[i];
            var updated = UpdateMask(weight, masks[i], weight.grad!, dropFraction);
            var grown = updated.ne(0).logical_and(masks[i].eq(0));
            grownCounts[i] = grown.sum().ToInt64();
            weight.masked_fill_(grown, 0);
            optimizer?.ZeroStateWhere(weight, grown);
            masks[i].copy_(updated);
            weight.mul_(masks[i]);
        }
        return grownCounts;
    }

    private static long Product(long[] shape)
    {
        long p = 1;
        foreach (var d in shape) p *= d;
        return p;
    }
}
