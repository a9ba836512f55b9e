using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Factorization (Composer's Factorize): replaces large Conv2d and Linear layers by two smaller
/// ones through a low-rank bottleneck, cutting multiply-adds. Unlike Composer, which re-initialises
/// the factorized layers, the factors start from the truncated SVD of the original weight
/// (W ≈ U_r·diag(S_r)·V_rᵀ, split as √S on both sides), so the replacement's output is the best
/// rank-r approximation of the original's and equals it at full rank.
/// </summary>
public static class Factorize
{
    /// <summary>
    /// The rank-<paramref name="rank"/> factorization of <paramref name="conv"/>: W [out, in, kh, kw]
    /// is flattened to [out, in·kh·kw] and truncated by SVD; <c>conv0</c> gets √S_r·V_rᵀ (as [r, in, kh, kw])
    /// and <c>conv1</c> gets U_r·√S_r (as [out, r, 1, 1]) and the original bias.
    /// </summary>
    /// <param name="conv">An ungrouped Conv2d.</param>
    /// <param name="rank">r, in [1, min(out, in·kh·kw)]; the maximum reproduces the original exactly (up to rounding).</param>
    /// <exception cref="ArgumentException">The convolution is grouped.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is out of range.</exception>
    public static FactorizedConv2d FactorizeConv2d(Conv2d conv, long rank)
    {
        ArgumentNullException.ThrowIfNull(conv);
        if (conv.groups != 1)
            throw new ArgumentException($"Factorize: the Conv2d has groups = {conv.groups}; only ungrouped convolutions (groups = 1) can be factorized.", nameof(conv));
        var w = conv.weight;
        long o = conv.out_channels, i = conv.in_channels, kh = conv.kernel_size[0], kw = conv.kernel_size[1];
        var maxRank = Math.Min(o, i * kh * kw);
        CheckRank(rank, maxRank, $"a Conv2d with {o} output channels and {i}·{kh}·{kw} inputs per output");

        Tensor first, second;
        using (var flat = w.detach().reshape(o, i * kh * kw)) (first, second) = Factors(flat, rank);
        Conv2d conv0 = conv.padding_type is { } padding
            ? nn.Conv2d(i, rank, (kh, kw), padding, (conv.stride[0], conv.stride[1]), (conv.dilation[0], conv.dilation[1]), conv.padding_mode, 1, false, w.device, w.dtype)
            : nn.Conv2d(i, rank, (kh, kw), (conv.stride[0], conv.stride[1]), (conv.padding![0], conv.padding[1]), (conv.dilation[0], conv.dilation[1]), conv.padding_mode, 1, false, w.device, w.dtype);
        var conv1 = nn.Conv2d(rank, o, 1, bias: conv.bias is not null, device: w.device, dtype: w.dtype);
        using (no_grad())
        {
            conv0.weight.copy_(first.reshape(rank, i, kh, kw));
            conv1.weight.copy_(second.reshape(o, rank, 1, 1));
            if (conv.bias is { } b) conv1.bias!.copy_(b);
        }
        first.Dispose();
        second.Dispose();
        return new FactorizedConv2d(conv0, conv1);
    }

    /// <summary>
    /// The rank-<paramref name="rank"/> factorization of <paramref name="linear"/>: W [out, in] is
    /// truncated by SVD; <c>linear0</c> gets √S_r·V_rᵀ [r, in] and <c>linear1</c> gets U_r·√S_r [out, r]
    /// and the original bias.
    /// </summary>
    /// <param name="linear">The layer to factorize.</param>
    /// <param name="rank">r, in [1, min(out, in)]; the maximum reproduces the original exactly (up to rounding).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is out of range.</exception>
    public static FactorizedLinear FactorizeLinear(Linear linear, long rank)
    {
        ArgumentNullException.ThrowIfNull(linear);
        var w = linear.weight;
        long o = linear.out_features, i = linear.in_features;
        CheckRank(rank, Math.Min(o, i), $"a Linear with {i} input and {o} output features");
        var (first, second) = Factors(w, rank);
        var linear0 = nn.Linear(i, rank, false, w.device, w.dtype);
        var linear1 = nn.Linear(rank, o, linear.bias is not null, w.device, w.dtype);
        using (no_grad())
        {
            linear0.weight.copy_(first);
            linear1.weight.copy_(second);
            if (linear.bias is { } b) linear1.bias!.copy_(b);
        }
        first.Dispose();
        second.Dispose();
        return new FactorizedLinear(linear0, linear1);
    }

    /// <summary>
    /// Factorizes, below <paramref name="model"/>, every ungrouped Conv2d and every Linear that
    /// qualifies under <paramref name="options"/>: at least <see cref="FactorizeOptions.MinChannels"/>
    /// (<see cref="FactorizeOptions.MinFeatures"/>) input and output channels (features), and a latent
    /// size small enough for the two layers to need fewer multiply-adds than the original. Create the
    /// optimizer afterwards: the factorized layers have new parameters.
    /// </summary>
    /// <param name="model">The model to change in place.</param>
    /// <param name="options">The options (validated here); null for the defaults.</param>
    /// <returns>How many convolutions and linear layers were factorized.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public static (int Convs, int Linears) Apply(nn.Module model, FactorizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new FactorizeOptions();
        options.Validate();
        int convs = 0, linears = 0;
        SurgeryHelpers.ReplaceAll(model, (_, m) => Replacement(m, options, ref convs, ref linears));
        return (convs, linears);
    }

    /// <summary>The factorized replacement of <paramref name="module"/>, or null when it does not qualify.</summary>
    internal static nn.Module? Replacement(nn.Module module, FactorizeOptions options, ref int convs, ref int linears)
    {
        if (module is Conv2d conv && options.FactorizeConvs && conv.groups == 1)
        {
            long i = conv.in_channels, o = conv.out_channels;
            if (Math.Min(i, o) < options.MinChannels) return null;
            var rank = LatentSize(options.LatentChannels, i, o);
            if (rank > MaxRankWithSpeedup(i * conv.kernel_size[0] * conv.kernel_size[1], o)) return null;
            convs++;
            return FactorizeConv2d(conv, rank);
        }
        if (module is Linear linear && options.FactorizeLinears)
        {
            long i = linear.in_features, o = linear.out_features;
            if (Math.Min(i, o) < options.MinFeatures) return null;
            var rank = LatentSize(options.LatentFeatures, i, o);
            if (rank > MaxRankWithSpeedup(i, o)) return null;
            linears++;
            return FactorizeLinear(linear, rank);
        }
        return null;
    }

    /// <summary>A fraction (&lt; 1) of min(in, out), rounded down and at least 1, or an absolute size (≥ 1).</summary>
    internal static long LatentSize(double latent, long inSize, long outSize) =>
        latent < 1 ? Math.Max(1, (long)Math.Floor(latent * Math.Min(inSize, outSize))) : (long)latent;

    /// <summary>
    /// The largest rank for which fanIn·r + r·out multiply-adds are fewer than fanIn·out (Composer's
    /// <c>_max_rank_with_possible_speedup</c>: ⌈fanIn·out / (fanIn + out) − 1⌉).
    /// </summary>
    internal static long MaxRankWithSpeedup(long fanIn, long outSize) =>
        (long)Math.Ceiling((double)fanIn * outSize / (fanIn + outSize) - 1);

    private static void CheckRank(long rank, long maxRank, string what)
    {
        if (rank < 1 || rank > maxRank)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Factorize: the rank is {rank}; expected a value in [1, {maxRank}] for {what}.");
    }

    /// <summary>√S_r·V_rᵀ [r, n] and U_r·√S_r [m, r] of the truncated SVD of <paramref name="matrix"/> [m, n].</summary>
    private static (Tensor First, Tensor Second) Factors(Tensor matrix, long rank)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (u, s, vh) = linalg.svd(matrix.detach().to(ScalarType.Float64), fullMatrices: false);
        var root = s.narrow(0, 0, rank).sqrt();
        var first = (vh.narrow(0, 0, rank) * root.unsqueeze(1)).to(matrix.dtype);
        var second = (u.narrow(1, 0, rank) * root.unsqueeze(0)).to(matrix.dtype);
        return (first.MoveToOuterDisposeScope(), second.MoveToOuterDisposeScope());
    }
}
