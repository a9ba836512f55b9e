using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// A batch normalisation layer that, in training, normalises each ghost batch (chunk of the batch)
/// with its own statistics; in evaluation it is identical to the batch normalisation it replaced.
/// It takes over the original layer's parameters and buffers under the same names, so optimizers
/// built before the replacement stay valid and state dicts stay interchangeable with the original.
/// </summary>
/// <remarks>
/// Training step, as Composer's <c>_GhostBatchNorm</c>: with B samples and ghost batch size g the
/// batch is split by <c>torch.chunk</c> into n = ⌈B / g⌉ chunks (sizes ⌈B / n⌉, the last one
/// smaller), and the original batch normalisation runs on each chunk in order. Every chunk counts as
/// one batch in <c>num_batches_tracked</c> and updates the running statistics in turn, with momentum
/// m / n (so one step moves them about as far as plain batch normalisation would); with momentum null
/// (a cumulative average) each chunk is averaged in with weight 1 / num_batches_tracked.
/// </remarks>
public sealed class GhostBatchNormLayer : nn.Module<Tensor, Tensor>
{
    private readonly BatchNorm _original;
    private Parameter? weight;
    private Parameter? bias;
    private Tensor? running_mean;
    private Tensor? running_var;
    private Tensor? num_batches_tracked;

    /// <summary>Wraps <paramref name="batchNorm"/>, taking over its parameters and buffers.</summary>
    /// <param name="batchNorm">The layer to replace (BatchNorm1d, BatchNorm2d or BatchNorm3d).</param>
    /// <param name="ghostBatchSize">The ghost batch size g, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ghostBatchSize"/> is below 1.</exception>
    public GhostBatchNormLayer(BatchNorm batchNorm, long ghostBatchSize) : base(nameof(GhostBatchNormLayer))
    {
        ArgumentNullException.ThrowIfNull(batchNorm);
        if (ghostBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(ghostBatchSize), ghostBatchSize, $"The ghost batch size is {ghostBatchSize}; expected at least 1.");
        _original = batchNorm;
        ghost_batch_size = ghostBatchSize;
        weight = batchNorm.affine ? batchNorm.weight : null;
        bias = batchNorm.bias;
        running_mean = batchNorm.running_mean;
        running_var = batchNorm.running_var;
        num_batches_tracked = batchNorm.num_batches_tracked;
        if (weight is not null) register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
        if (running_mean is not null) register_buffer("running_mean", running_mean);
        if (running_var is not null) register_buffer("running_var", running_var);
        if (num_batches_tracked is not null) register_buffer("num_batches_tracked", num_batches_tracked);
    }

    /// <summary>The ghost batch size g.</summary>
    public long ghost_batch_size { get; }

    /// <summary>The replaced layer's type name (BatchNorm1d, BatchNorm2d or BatchNorm3d).</summary>
    public string Replaced => _original.GetType().Name;

    /// <summary>The running-statistics update factor of the original layer; null for a cumulative average.</summary>
    public double? momentum => _original.momentum;

    /// <summary>Added to the variance for numerical stability.</summary>
    public double eps => _original.eps;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (dims, layer) = _original.GetType().Name switch
        {
            "BatchNorm1d" => (new[] { 2L, 3L }, "BatchNorm1d"),
            "BatchNorm3d" => (new[] { 5L }, "BatchNorm3d"),
            _ => (new[] { 4L }, "BatchNorm2d"),
        };
        if (!dims.Contains(input.dim()) || input.shape[1] != _original.num_features)
            throw new ArgumentException($"GhostBatchNorm ({layer}): the input has shape [{string.Join(", ", input.shape)}]; expected {string.Join(" or ", dims)}-D input with {_original.num_features} channels in dimension 1.", nameof(input));

        if (!training)
        {
            // Evaluation: exactly the original layer (running statistics, or batch statistics without them).
            var useBatchStats = running_mean is null && running_var is null;
            return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, useBatchStats, 0.0, eps);
        }

        var batch = input.shape[0];
        var nchunks = Math.Max(1, (batch + ghost_batch_size - 1) / ghost_batch_size);
        var track = _original.track_running_stats && num_batches_tracked is not null;
        var chunks = nchunks == 1 ? new[] { input } : input.chunk(nchunks, 0);
        var outputs = new Tensor[chunks.Length];
        for (var i = 0; i < chunks.Length; i++)
        {
            var factor = momentum is { } m ? m / nchunks : 0.0;
            if (track)
            {
                using (no_grad()) num_batches_tracked!.add_(1);
                if (momentum is null) factor = 1.0 / num_batches_tracked!.ToDouble();
            }
            outputs[i] = nn.functional.batch_norm(chunks[i], track ? running_mean : null, track ? running_var : null, weight, bias, true, factor, eps);
        }
        return outputs.Length == 1 ? outputs[0] : cat(outputs, 0);
    }
}
