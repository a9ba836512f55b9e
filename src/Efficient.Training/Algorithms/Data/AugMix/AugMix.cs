using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// AugMix (Hendrycks et al., 2020) on batches of float images <c>[N, C, H, W]</c> in [0, 1]: each
/// image is augmented by <c>width</c> chains of 1 to 3 (or <c>depth</c>) random operations of
/// <see cref="RandAugment"/>, the chains are mixed with Dirichlet(alpha) weights and the mix is
/// blended with the original with a Beta(alpha, alpha) weight m: <c>(1 - m) x + m Σ wᵢ chainᵢ(x)</c>.
/// </summary>
public static class AugMix
{
    /// <summary>
    /// Mixes, per image, the chains <paramref name="chains"/> (<c>width</c> tensors <c>[N, C, H, W]</c>)
    /// with <paramref name="chainWeights"/> (<c>[N, width]</c>) and blends with <paramref name="images"/>
    /// by <paramref name="mixWeight"/> (<c>[N]</c>).
    /// </summary>
    public static Tensor Mix(Tensor images, Tensor[] chains, Tensor chainWeights, Tensor mixWeight)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(chains);
        ArgumentNullException.ThrowIfNull(chainWeights);
        ArgumentNullException.ThrowIfNull(mixWeight);
        if (chains.Length == 0 || chainWeights.dim() != 2 || chainWeights.shape[1] != chains.Length || chainWeights.shape[0] != images.shape[0])
            throw new ArgumentException($"The chain weights must be [N, width] with N = {images.shape[0]} and width = {chains.Length} (got [{string.Join(", ", chainWeights.shape)}]).", nameof(chainWeights));
        using var scope = NewDisposeScope();
        var w = chainWeights.to_type(images.dtype);
        var mix = zeros_like(images);
        for (var i = 0; i < chains.Length; i++)
            mix = mix + w.narrow(1, i, 1).view(-1, 1, 1, 1) * chains[i];
        var m = mixWeight.to_type(images.dtype).view(-1, 1, 1, 1);
        return ((1 - m) * images + m * mix).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Augments every image: <paramref name="width"/> chains of <paramref name="depth"/> operations
    /// (1 to 3 per image and chain when <paramref name="depth"/> ≤ 0) at levels in
    /// [0.1, <paramref name="severity"/>], mixed with Dirichlet(<paramref name="alpha"/>) weights and
    /// blended with the original by Beta(<paramref name="alpha"/>, <paramref name="alpha"/>). All
    /// randomness comes from <paramref name="generator"/> (libtorch's default generator when null).
    /// </summary>
    public static Tensor Augment(Tensor images, double severity = 3, int depth = -1, int width = 3, double alpha = 1.0, Generator? generator = null, AugmentationSet set = AugmentationSet.All)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4) throw new ArgumentException($"Expected a batch of images [N, C, H, W] (got [{string.Join(", ", images.shape)}]).", nameof(images));
        if (!(severity >= 0 && severity <= 10)) throw new ArgumentOutOfRangeException(nameof(severity), severity, "The severity must be in [0, 10].");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be at least 1.");
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must be a finite value > 0.");
        var ops = RandAugment.Ops(set);
        var n = images.shape[0];
        using var scope = NewDisposeScope();
        var chains = new Tensor[width];
        for (var i = 0; i < width; i++)
        {
            var steps = depth > 0 ? depth : 3;
            var chainDepth = depth > 0 ? full(new[] { n }, depth, dtype: ScalarType.Int64) : randint(1, 4, new[] { n }, dtype: ScalarType.Int64, generator: generator);
            var x = images;
            for (var s = 0; s < steps; s++)
                x = RandAugment.RandomStep(x, ops, severity, generator, active: chainDepth.gt(s));
            chains[i] = x;
        }
        // Gamma draws for the Dirichlet and Beta weights, seeded from the generator.
        var seed = (int)randint(0, int.MaxValue, new long[] { 1 }, dtype: ScalarType.Int64, generator: generator).ToInt64();
        var rng = new Random(seed);
        var weights = new float[n * width];
        var mix = new float[n];
        for (var b = 0; b < n; b++)
        {
            double total = 0;
            for (var i = 0; i < width; i++) total += weights[b * width + i] = (float)Gamma(rng, alpha);
            for (var i = 0; i < width; i++) weights[b * width + i] = (float)(weights[b * width + i] / total);
            double g1 = Gamma(rng, alpha), g2 = Gamma(rng, alpha);
            mix[b] = (float)(g1 / (g1 + g2));
        }
        var w = tensor(weights).view(n, width);
        var m = tensor(mix);
        return Mix(images, chains, w, m).MoveToOuterDisposeScope();
    }

    /// <summary>A Gamma(<paramref name="shape"/>, 1) draw (Marsaglia and Tsang; boosted for shape &lt; 1).</summary>
    internal static double Gamma(Random rng, double shape)
    {
        if (shape < 1)
        {
            var u = rng.NextDouble();
            return Gamma(rng, shape + 1) * Math.Pow(u, 1 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                // Standard normal by Box-Muller.
                var u1 = 1 - rng.NextDouble();
                var u2 = rng.NextDouble();
                x = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            var u = 1 - rng.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }
}
