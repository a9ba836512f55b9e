using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// One batch of training or evaluation data: the model input, the target, and optional named
/// extra tensors (attention masks, sample weights, ...). <see cref="Size"/> counts samples and
/// <see cref="Tokens"/> counts tokens (0 for non-sequence data). Immutable: algorithms return new
/// batches with <see cref="With"/>. <see cref="Indices"/> optionally says which samples of the
/// data set the rows are (may be null).
/// </summary>
public sealed class Batch
{
    /// <summary>Creates a batch; the first dimension of <paramref name="input"/> is the batch size.</summary>
    /// <param name="input">The model input; dimension 0 is the batch.</param>
    /// <param name="target">The target; when it has dimensions, the first is the batch.</param>
    /// <param name="tokens">The number of tokens (0 for non-sequence data).</param>
    /// <param name="extras">Named extra tensors that travel with the batch.</param>
    /// <param name="indices">Optional int64 <c>[B]</c> indices of the samples in the data set (see <see cref="Indices"/>).</param>
    public Batch(Tensor input, Tensor target, long tokens = 0, IReadOnlyDictionary<string, Tensor>? extras = null, Tensor? indices = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.dim() == 0) throw new ArgumentException("The batch input must have a batch dimension (got a 0-d tensor).", nameof(input));
        if (target.dim() > 0 && target.shape[0] != input.shape[0])
            throw new ArgumentException($"The target's first dimension ({target.shape[0]}) must equal the input's batch size ({input.shape[0]}).", nameof(target));
        if (tokens < 0) throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "The token count must be non-negative.");
        if (indices is not null && (indices.dim() != 1 || indices.shape[0] != input.shape[0] || indices.dtype != ScalarType.Int64))
            throw new ArgumentException($"The sample indices must be an int64 tensor of shape [{input.shape[0]}] (got {indices.dtype} [{string.Join(", ", indices.shape)}]).", nameof(indices));
        Input = input;
        Target = target;
        Indices = indices;
        Tokens = tokens;
        Extras = extras ?? new Dictionary<string, Tensor>();
    }

    /// <summary>The model input; dimension 0 is the batch.</summary>
    public Tensor Input { get; }

    /// <summary>The target (class indices, probabilities, token ids, ...).</summary>
    public Tensor Target { get; }

    /// <summary>Named extra tensors that travel with the batch.</summary>
    public IReadOnlyDictionary<string, Tensor> Extras { get; }

    /// <summary>
    /// Which samples of the training set the rows are: an int64 <c>[B]</c> tensor of indices into the
    /// data source (stable across epochs), or <c>null</c> when the source does not provide them.
    /// <see cref="TensorTrainingData"/>, <c>PrunedTrainingData</c> and <c>CurriculumTrainingData</c> fill it;
    /// <see cref="Split"/> and <see cref="With"/> keep it, data algorithms that keep or select samples keep
    /// it (selected), and algorithms that change the number of samples drop it. Consumers that need it
    /// (forgetting scores, the distillation teacher cache) must handle <c>null</c>.
    /// </summary>
    public Tensor? Indices { get; }

    /// <summary>The number of samples.</summary>
    public long Size => Input.shape[0];

    /// <summary>The number of tokens (0 for non-sequence data).</summary>
    public long Tokens { get; }

    /// <summary>A batch with some parts replaced (the sample indices are kept when the sample count is unchanged).</summary>
    public Batch With(Tensor? input = null, Tensor? target = null, long? tokens = null, IReadOnlyDictionary<string, Tensor>? extras = null)
    {
        var newInput = input ?? Input;
        return new(newInput, target ?? Target, tokens ?? Tokens, extras ?? Extras, newInput.shape[0] == Size ? Indices : null);
    }

    /// <summary>
    /// Splits the batch into <paramref name="count"/> microbatches along dimension 0 (views, sizes
    /// as equal as possible; tokens split in proportion). Extras whose first dimension is the batch
    /// size are split too; others are shared.
    /// </summary>
    public IReadOnlyList<Batch> Split(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The number of microbatches must be at least 1.");
        if (count == 1) return new[] { this };
        var size = Size;
        if (count > size) throw new ArgumentOutOfRangeException(nameof(count), count, $"Cannot split a batch of {size} samples into {count} microbatches.");
        var result = new List<Batch>(count);
        long start = 0;
        for (var i = 0; i < count; i++)
        {
            var length = size / count + (i < size % count ? 1 : 0);
            var extras = Extras.ToDictionary(e => e.Key, e => e.Value.dim() > 0 && e.Value.shape[0] == size ? e.Value.narrow(0, start, length) : e.Value);
            var target = Target.dim() > 0 ? Target.narrow(0, start, length) : Target;
            result.Add(new Batch(Input.narrow(0, start, length), target, Tokens * length / size, extras, Indices?.narrow(0, start, length)));
            start += length;
        }
        return result;
    }
}
