using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Sequence-length warmup (Li et al., 2022; Composer): trains on short sequences first and grows
/// their length linearly, in steps, to the full length. Applies to token batches <c>[B, S]</c> whose
/// target (and extras such as attention masks) are <c>[B, S]</c> too, as in masked-LM.
/// </summary>
public static class SeqLengthWarmup
{
    /// <summary>
    /// The sequence length at <paramref name="progress"/>: <paramref name="minSeqLength"/> plus
    /// <paramref name="stepSize"/> for every completed <c>1 / n</c> of the warmup
    /// (<c>n = (max - min) / stepSize</c> updates spread over the first <paramref name="duration"/>
    /// of training), capped at <paramref name="maxSeqLength"/>.
    /// </summary>
    public static long SequenceLength(double progress, double duration, long minSeqLength, long maxSeqLength, long stepSize)
    {
        if (stepSize < 1) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be at least 1.");
        if (maxSeqLength < minSeqLength) throw new ArgumentOutOfRangeException(nameof(maxSeqLength), maxSeqLength, $"The maximum length must be >= the minimum ({minSeqLength}).");
        var updates = (maxSeqLength - minSeqLength) / stepSize;
        if (updates == 0 || duration <= 0 || progress >= duration) return maxSeqLength;
        // Small epsilon so that progress landing exactly on a boundary (k / n of the warmup) counts.
        var done = (long)Math.Floor(progress / duration * updates + 1e-9);
        return Math.Min(maxSeqLength, minSeqLength + stepSize * done);
    }

    /// <summary>
    /// Keeps the first <paramref name="length"/> positions of every <c>[B, S, ...]</c> tensor
    /// (input, target, extras whose first two dimensions are <c>[B, S]</c>). The token count becomes
    /// <c>B × length</c> when the batch counted tokens.
    /// </summary>
    public static Batch Truncate(Batch batch, long length) => Change(batch, length, reshape: false);

    /// <summary>
    /// Regroups the batch's tokens into sequences of <paramref name="length"/>, as Composer's
    /// <c>set_batch_sequence_length(truncate=False)</c>: every <c>[B, S, ...]</c> tensor is flattened
    /// across rows, its first <c>⌊B·S / length⌋ · length</c> positions kept and reshaped to
    /// <c>[⌊B·S / length⌋, length, ...]</c>; only the last <c>B·S mod length</c> tokens of the whole
    /// batch are lost, and the batch grows.
    /// </summary>
    public static Batch Reshape(Batch batch, long length) => Change(batch, length, reshape: true);

    private static Batch Change(Batch batch, long length, bool reshape)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var input = batch.Input;
        if (input.dim() != 2) throw new ArgumentException($"SeqLengthWarmup expects token batches [B, S] (got [{string.Join(", ", input.shape)}]).", nameof(batch));
        long b = input.shape[0], s = input.shape[1];
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "The sequence length must be at least 1.");
        if (length >= s) return batch;
        var rows = b * s / length;   // reshape: whole sequences of the new length in the flattened batch
        if (reshape && rows == 0) throw new ArgumentOutOfRangeException(nameof(length), length, $"A batch of {b * s} tokens holds no sequence of {length}.");
        Tensor Cut(Tensor t)
        {
            if (t.dim() < 2 || t.shape[0] != b || t.shape[1] != s) return t;
            if (!reshape) return t.narrow(1, 0, length).contiguous();
            var rest = t.shape.Skip(2).ToArray();
            var flat = t.reshape(new[] { b * s }.Concat(rest).ToArray()).narrow(0, 0, rows * length);
            return flat.reshape(new[] { rows, length }.Concat(rest).ToArray());
        }
        var extras = batch.Extras.ToDictionary(e => e.Key, e => Cut(e.Value));
        var newInput = Cut(input);
        var tokens = batch.Tokens > 0 ? newInput.shape[0] * newInput.shape[1] : 0;
        return new Batch(newInput, Cut(batch.Target), tokens, extras, newInput.shape[0] == b ? batch.Indices : null);
    }
}
