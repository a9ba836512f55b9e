using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Serves only the kept samples (e.g. <see cref="DataPruning.Keep"/>) of in-memory tensors, as a
/// <see cref="TensorTrainingData"/> over the kept subset (same per-epoch shuffling by (seed, epoch),
/// so resume is exact). <see cref="Batch.Indices"/> are indices into the full set.
/// </summary>
public sealed class PrunedTrainingData : ITrainingData
{
    private readonly TensorTrainingData _inner;

    /// <summary>Creates the source from the full inputs and targets and the indices of the samples to keep.</summary>
    public PrunedTrainingData(Tensor inputs, Tensor targets, IReadOnlyList<long> keep, int batchSize, bool shuffle = true, long seed = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(keep);
        SampleArgs.ThrowIfNotPaired(inputs, targets);
        if (keep.Count == 0) throw new ArgumentException("At least one sample must be kept.", nameof(keep));
        var n = inputs.shape[0];
        if (keep.Any(i => i < 0 || i >= n)) throw new ArgumentOutOfRangeException(nameof(keep), keep.First(i => i < 0 || i >= n), $"Kept indices must be in [0, {n}).");
        var kept = keep.ToArray();
        Kept = kept;
        using var idx = tensor(kept);
        _inner = new TensorTrainingData(inputs.index_select(0, idx).DetachFromDisposeScope(), targets.index_select(0, idx).DetachFromDisposeScope(), batchSize, shuffle, seed, dropLast, tokensOf: null, sampleIds: idx.clone().DetachFromDisposeScope());
    }

    /// <summary>The indices (into the full set) of the served samples.</summary>
    public IReadOnlyList<long> Kept { get; }

    /// <inheritdoc />
    public long? BatchesPerEpoch => _inner.BatchesPerEpoch;

    /// <inheritdoc />
    public long? SamplesPerEpoch => _inner.SamplesPerEpoch;

    /// <inheritdoc />
    public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0) => _inner.GetEpoch(epoch, skipBatches);
}
