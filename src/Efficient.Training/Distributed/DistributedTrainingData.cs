using System;
using System.Collections.Generic;

namespace Efficient.Training;

/// <summary>
/// The in-memory data source of data-parallel training: like <see cref="TensorTrainingData"/>, but
/// each rank only sees its shard of every epoch (<see cref="DistributedSampler"/>: the same
/// permutation on every rank, seeded with <c>seed + epoch</c>, padded to equal length and strided
/// by rank). With a per-rank batch size <c>B</c> and <c>W</c> ranks one step consumes <c>W × B</c>
/// distinct samples, and the order depends only on (seed, epoch, rank), so resume is exact.
/// Each batch's <see cref="Batch.Indices"/> holds its samples' indices in the whole data set
/// (padding repeats some). Data-source algorithms that re-serve the whole training set
/// (Curriculum, DataPruning) need every index on one rank and refuse a rank's shard.
/// </summary>
public sealed class DistributedTrainingData : ITrainingData
{
    private readonly Tensor _inputs;
    private readonly Tensor _targets;
    private readonly Func<Tensor, long>? _tokensOf;

    /// <summary>Creates this rank's view of the data set.</summary>
    /// <param name="inputs">All inputs (dimension 0 = samples), identical on every rank.</param>
    /// <param name="targets">All targets, sharing dimension 0 with <paramref name="inputs"/>.</param>
    /// <param name="batchSize">Samples per batch on this rank.</param>
    /// <param name="rank">This rank (default: <see cref="ProcessGroup.Rank"/>).</param>
    /// <param name="worldSize">The number of ranks (default: <see cref="ProcessGroup.WorldSize"/>).</param>
    /// <param name="shuffle">Whether each epoch is permuted (default true).</param>
    /// <param name="seed">The seed shared by every rank (default 0).</param>
    /// <param name="dropLast">Drop the data set's tail so shards divide evenly (default false: pad by repeating samples, as PyTorch).</param>
    /// <param name="tokensOf">Counts the tokens of a batch input (sequence models).</param>
    /// <exception cref="ArgumentException">Mismatched tensors, a bad batch size, rank or world size.</exception>
    /// <exception cref="InvalidOperationException">Rank or world size omitted while no process group is initialized.</exception>
    public DistributedTrainingData(Tensor inputs, Tensor targets, int batchSize, int? rank = null, int? worldSize = null, bool shuffle = true, long seed = 0, bool dropLast = false, Func<Tensor, long>? tokensOf = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        SampleArgs.ThrowIfNotPaired(inputs, targets);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        if ((rank is null || worldSize is null) && !ProcessGroup.IsInitialized)
            throw new InvalidOperationException("Rank and world size default to the process group's, but it is not initialized: call ProcessGroup.Initialize() first or pass rank and worldSize.");
        WorldSize = worldSize ?? ProcessGroup.WorldSize;
        Rank = rank ?? ProcessGroup.Rank;
        if (WorldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), WorldSize, "The world size must be at least 1.");
        if (Rank < 0 || Rank >= WorldSize) throw new ArgumentOutOfRangeException(nameof(rank), Rank, $"The rank must be in [0, {WorldSize}).");
        _inputs = inputs;
        _targets = targets;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        _tokensOf = tokensOf;
        SamplesPerEpoch = DistributedSampler.SamplesPerReplica(inputs.shape[0], WorldSize, dropLast);
        if (SamplesPerEpoch == 0) throw new ArgumentException($"{inputs.shape[0]} samples leave no sample for each of {WorldSize} ranks.", nameof(inputs));
    }

    /// <summary>This rank.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public int WorldSize { get; }

    /// <summary>Samples per batch on this rank.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is permuted.</summary>
    public bool Shuffle { get; }

    /// <summary>The seed shared by every rank.</summary>
    public long Seed { get; }

    /// <summary>Whether the data set's tail is dropped instead of padded.</summary>
    public bool DropLast { get; }

    /// <summary>Samples this rank sees per epoch (equal on every rank).</summary>
    public long? SamplesPerEpoch { get; }

    /// <inheritdoc />
    public long? BatchesPerEpoch => (SamplesPerEpoch + BatchSize - 1) / BatchSize;

    /// <inheritdoc />
    public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0)
    {
        if (skipBatches < 0) throw new ArgumentOutOfRangeException(nameof(skipBatches), skipBatches, "Cannot skip a negative number of batches.");
        var indices = DistributedSampler.Indices(_inputs.shape[0], WorldSize, Rank, epoch, Seed, Shuffle, DropLast);
        return Batches(indices, skipBatches);
    }

    private IEnumerable<Batch> Batches(long[] indices, long skipBatches)
    {
        var batches = BatchesPerEpoch!.Value;
        for (var b = skipBatches; b < batches; b++)
        {
            var start = (int)(b * BatchSize);
            var length = Math.Min(BatchSize, indices.Length - start);
            var idx = tensor(indices.AsSpan(start, length).ToArray());
            var input = _inputs.index_select(0, idx);
            yield return new Batch(input, _targets.index_select(0, idx), _tokensOf?.Invoke(input) ?? 0, indices: idx);
        }
    }
}
