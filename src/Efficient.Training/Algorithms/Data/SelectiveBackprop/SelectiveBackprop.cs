using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Selective backprop (Jiang et al., 2019; Composer): an extra forward pass without gradients
/// computes each sample's loss, and only a <c>keep</c> fraction of the batch, chosen to favour the
/// highest losses, is trained on, saving most of the backward cost on the dropped samples.
/// </summary>
public static class SelectiveBackprop
{
    /// <summary>
    /// Whether to select at this batch (Composer <c>should_selective_backprop</c>): progress in
    /// [<paramref name="start"/>, <paramref name="end"/>) and, unless <paramref name="interrupt"/> is 0,
    /// not every <paramref name="interrupt"/>-th batch (<c>(batchIndex + 1) % interrupt != 0</c>), so
    /// some full batches stay in between.
    /// </summary>
    public static bool ShouldSelect(double progress, long batchIndex, double start = 0.5, double end = 0.9, int interrupt = 2)
        => progress >= start && progress < end && (interrupt == 0 || (batchIndex + 1) % interrupt != 0);

    /// <summary>How many samples of <paramref name="batchSize"/> are kept: <c>int(keep × N)</c>, at least 1.</summary>
    public static long KeptCount(long batchSize, double keep) => Math.Clamp((long)(keep * batchSize), 1, batchSize);

    /// <summary>
    /// The indices of the samples to keep, given per-sample <paramref name="losses"/> <c>[N]</c>.
    /// With no <paramref name="generator"/>, the <see cref="KeptCount"/> highest losses, in descending
    /// order. With one, Composer's sampling: samples are ranked by loss, the sample at rank
    /// percentile <c>p = (r + 0.5) / N</c> gets weight <c>p^(1/keep - 1)</c>, and
    /// <see cref="KeptCount"/> are drawn without replacement in proportion to the weights (here by
    /// the Gumbel-top-k trick, which has the same distribution as sequential draws).
    /// </summary>
    public static Tensor SelectIndices(Tensor losses, double keep = 0.5, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(losses);
        if (losses.dim() != 1) throw new ArgumentException($"The losses must be one per sample, [N] (got [{string.Join(", ", losses.shape)}]).", nameof(losses));
        if (!(keep > 0 && keep <= 1)) throw new ArgumentOutOfRangeException(nameof(keep), keep, "The kept fraction must be in (0, 1].");
        var n = losses.shape[0];
        var k = (int)KeptCount(n, keep);
        using var scope = NewDisposeScope();
        if (generator is null)
            return losses.topk(k, largest: true, sorted: true).indexes.MoveToOuterDisposeScope();
        var sorted = losses.detach().sort(0).Indices;                            // ascending loss
        var percentiles = (arange(n, dtype: ScalarType.Float64) + 0.5) / n;
        var logWeights = percentiles.log() * (1.0 / keep - 1.0);
        var u = rand(new[] { n }, dtype: ScalarType.Float64, generator: generator).clamp(1e-12, 1 - 1e-12);
        var gumbel = u.log().neg().log().neg();
        var ranks = (logWeights + gumbel).topk(k).indexes;
        return sorted.index_select(0, ranks).MoveToOuterDisposeScope();
    }

    /// <summary>Keeps the samples <paramref name="indices"/> of the batch (input, target and per-sample extras); tokens scale with the sample count.</summary>
    public static Batch Keep(Batch batch, Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(indices);
        var n = batch.Size;
        var index = indices.to_type(ScalarType.Int64);
        Tensor Pick(Tensor t) => t.dim() > 0 && t.shape[0] == n ? t.index_select(0, index) : t;
        var extras = batch.Extras.ToDictionary(e => e.Key, e => Pick(e.Value));
        return new Batch(Pick(batch.Input), Pick(batch.Target), batch.Tokens * index.shape[0] / n, extras, batch.Indices?.index_select(0, index));
    }

    /// <summary>
    /// The per-sample loss of <paramref name="model"/> on the batch, without gradients: the input is
    /// first down-scaled by <paramref name="scaleFactor"/> (bilinear for images; 1 = as is), then
    /// <paramref name="perSampleLoss"/> maps (outputs, target) to a loss per element, averaged over
    /// every dimension but the first.
    /// </summary>
    public static Tensor PerSampleLosses(nn.Module<Tensor, Tensor> model, Batch batch, Func<Tensor, Tensor, Tensor> perSampleLoss, double scaleFactor = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(perSampleLoss);
        if (!(scaleFactor > 0 && scaleFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(scaleFactor), scaleFactor, "The scale factor must be in (0, 1].");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = batch.Input;
        if (scaleFactor < 1)
        {
            var mode = input.dim() switch
            {
                3 => InterpolationMode.Linear,
                4 => InterpolationMode.Bilinear,
                5 => InterpolationMode.Trilinear,
                _ => throw new ArgumentException($"A scale factor below 1 needs inputs with 1 to 3 spatial dimensions (got [{string.Join(", ", input.shape)}]).", nameof(scaleFactor)),
            };
            var size = input.shape.Skip(2).Select(s => Math.Max(1, (long)(s * scaleFactor))).ToArray();
            input = nn.functional.interpolate(input, size: size, mode: mode, align_corners: false);
        }
        var losses = perSampleLoss(model.call(input), batch.Target);
        if (losses.dim() == 0 || losses.shape[0] != batch.Size)
            throw new InvalidOperationException($"The per-sample loss must return one value per sample, [{batch.Size}, ...] (got [{string.Join(", ", losses.shape)}]).");
        if (losses.dim() > 1) losses = losses.reshape(batch.Size, -1).mean(new long[] { 1 });
        return losses.detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The default per-sample loss: cross-entropy with no reduction (sequence outputs <c>[B, S, C]</c>
    /// give <c>[B, S]</c>).
    /// </summary>
    public static Tensor CrossEntropyPerSample(Tensor outputs, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(target);
        if (outputs.dim() > 2 && target.dim() == outputs.dim() - 1 && target.dtype == ScalarType.Int64)
        {
            var flat = nn.functional.cross_entropy(outputs.reshape(-1, outputs.shape[^1]), target.reshape(-1), reduction: nn.Reduction.None);
            return flat.reshape(target.shape);
        }
        return nn.functional.cross_entropy(outputs, target, reduction: nn.Reduction.None);
    }
}
