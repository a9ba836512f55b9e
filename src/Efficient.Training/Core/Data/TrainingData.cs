using System;
using System.Collections.Generic;

namespace Efficient.Training;

/// <summary>
/// Where the trainer gets batches. The order of an epoch must depend only on the epoch number
/// (and the source's own seed), so that a resumed run sees exactly the batches the uninterrupted
/// run would have seen.
/// </summary>
public interface ITrainingData
{
    /// <summary>Batches per epoch, when known.</summary>
    long? BatchesPerEpoch { get; }

    /// <summary>Samples per epoch, when known.</summary>
    long? SamplesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/>, skipping the first <paramref name="skipBatches"/> (for resume).</summary>
    IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0);
}

/// <summary>
/// Batches drawn from in-memory tensors (inputs and targets share dimension 0), shuffled per epoch
/// with a generator seeded from (seed, epoch). Each batch is an <c>index_select</c> of the samples
/// and carries their indices (<see cref="Batch.Indices"/>).
/// </summary>
public sealed class TensorTrainingData : ITrainingData
{
    private readonly Tensor _inputs;
    private readonly Tensor _targets;
    private readonly Func<Tensor, long>? _tokensOf;
    private readonly Tensor? _sampleIds;

    /// <summary>Creates the source. <paramref name="tokensOf"/> counts the tokens of a batch input (sequence models).</summary>
    public TensorTrainingData(Tensor inputs, Tensor targets, int batchSize, bool shuffle = true, long seed = 0, bool dropLast = false, Func<Tensor, long>? tokensOf = null)
        : this(inputs, targets, batchSize, shuffle, seed, dropLast, tokensOf, sampleIds: null)
    {
    }

    /// <summary>As the public constructor; <paramref name="sampleIds"/> (int64 [n]) are the indices reported for the rows (a subset's indices into the full set).</summary>
    internal TensorTrainingData(Tensor inputs, Tensor targets, int batchSize, bool shuffle, long seed, bool dropLast, Func<Tensor, long>? tokensOf, Tensor? sampleIds)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        SampleArgs.ThrowIfNotPaired(inputs, targets);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        if (dropLast && batchSize > inputs.shape[0])
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"With dropLast, a batch size of {batchSize} leaves no batch from {inputs.shape[0]} samples.");
        _inputs = inputs;
        _targets = targets;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        _tokensOf = tokensOf;
        _sampleIds = sampleIds;
    }

    /// <summary>The samples' inputs (dimension 0 is the sample).</summary>
    internal Tensor Inputs => _inputs;

    /// <summary>The samples' targets.</summary>
    internal Tensor Targets => _targets;

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>The seed of the shuffling.</summary>
    public long Seed { get; }

    /// <summary>Whether a last, smaller batch is dropped.</summary>
    public bool DropLast { get; }

    /// <inheritdoc />
    public long? SamplesPerEpoch => DropLast ? BatchesPerEpoch * BatchSize : _inputs.shape[0];

    /// <inheritdoc />
    public long? BatchesPerEpoch => DropLast ? _inputs.shape[0] / BatchSize : (_inputs.shape[0] + BatchSize - 1) / BatchSize;

    /// <inheritdoc />
    public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0)
    {
        if (skipBatches < 0) throw new ArgumentOutOfRangeException(nameof(skipBatches), skipBatches, "Cannot skip a negative number of batches.");
        var n = _inputs.shape[0];
        Tensor order;
        if (Shuffle)
        {
            using var g = new Generator(unchecked((ulong)(Seed * 1_000_003 + epoch)));
            order = randperm(n, generator: g).DetachFromDisposeScope();
        }
        else order = arange(n, ScalarType.Int64).DetachFromDisposeScope();
        try
        {
            var batches = BatchesPerEpoch!.Value;
            for (var b = skipBatches; b < batches; b++)
            {
                var start = b * BatchSize;
                var length = Math.Min(BatchSize, n - start);
                var idx = order.narrow(0, start, length);
                var input = _inputs.index_select(0, idx);
                var ids = _sampleIds is null ? idx.clone() : _sampleIds.index_select(0, idx);
                yield return new Batch(input, _targets.index_select(0, idx), _tokensOf?.Invoke(input) ?? 0, indices: ids);
            }
        }
        finally
        {
            order.Dispose();
        }
    }
}
