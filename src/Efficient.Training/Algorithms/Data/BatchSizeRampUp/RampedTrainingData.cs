using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// One epoch of a source re-batched to ramped batch sizes (<see cref="BatchSizeRampUp"/>): the source's samples in its
/// order, cut into consecutive batches of the scheduled sizes from the clock at the epoch start. The sizes depend only on
/// that clock, so skipping (resume) cuts the same batches; it opens the source past the skipped rows when the source is a
/// <see cref="TensorTrainingData"/> and reads and drops them otherwise.
/// </summary>
internal sealed class RampedTrainingData : ITrainingData
{
    private readonly ITrainingData _source;
    private readonly long _epoch;
    private readonly List<(long Size, long Scheduled)> _sizes;

    public RampedTrainingData(ITrainingData source, RampSchedule schedule, long epoch, long batchesBefore, long samplesBefore, string who)
    {
        _source = source;
        _epoch = epoch;
        var samples = source.SamplesPerEpoch
            ?? throw new InvalidOperationException($"{who}: the training data ({source.GetType().Name}) does not tell its samples per epoch, which the batch-size schedule needs to cut the epoch.");
        _sizes = schedule.EpochSizes(epoch, batchesBefore, samplesBefore, samples);
    }

    /// <summary>The scheduled batch size of the batch served last (null before the first).</summary>
    public long? CurrentScheduled { get; private set; }

    /// <summary>The served batch sizes of the epoch.</summary>
    public IReadOnlyList<long> Sizes => _sizes.Select(s => s.Size).ToList();

    /// <inheritdoc />
    public long? BatchesPerEpoch => _sizes.Count;

    /// <inheritdoc />
    public long? SamplesPerEpoch => _source.SamplesPerEpoch;

    /// <inheritdoc />
    public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0)
    {
        if (epoch != _epoch) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"This ramped source cuts epoch {_epoch} (its batch sizes depend on the clock at that epoch's start).");
        if (skipBatches < 0) throw new ArgumentOutOfRangeException(nameof(skipBatches), skipBatches, "Cannot skip a negative number of batches.");
        var skipRows = _sizes.Take((int)Math.Min(skipBatches, _sizes.Count)).Sum(s => s.Size);
        long skipFresh = 0;
        if (_source is TensorTrainingData t)
        {
            skipFresh = skipRows / t.BatchSize;   // every batch but the last has BatchSize rows
            skipRows -= skipFresh * t.BatchSize;
        }
        return Serve(_source.GetEpoch(epoch, skipFresh), skipRows, (int)Math.Min(skipBatches, _sizes.Count));
    }

    private IEnumerable<Batch> Serve(IEnumerable<Batch> fresh, long skipRows, int next)
    {
        // Rows carried over between fresh batches outlive the trainer's per-batch scope: hold aliases.
        var pending = new List<(HeldBatch Batch, long Start)>();
        long available = 0;
        try
        {
            foreach (var batch in fresh)
            {
                if (next >= _sizes.Count) yield break;
                if (skipRows >= batch.Size)
                {
                    skipRows -= batch.Size;
                    continue;
                }
                pending.Add((new HeldBatch(batch), skipRows));
                available += batch.Size - skipRows;
                skipRows = 0;
                while (next < _sizes.Count && available >= _sizes[next].Size)
                {
                    var (size, scheduled) = _sizes[next++];
                    var served = Take(pending, size);
                    available -= size;
                    CurrentScheduled = scheduled;
                    yield return served;
                }
            }
            if (available > 0 && next < _sizes.Count)
            {
                // The source gave fewer samples than it announced: serve what is left.
                CurrentScheduled = _sizes[next].Scheduled;
                yield return Take(pending, available);
            }
        }
        finally
        {
            foreach (var p in pending) p.Batch.Dispose();
        }
    }

    private static Batch Take(List<(HeldBatch Batch, long Start)> pending, long rows)
    {
        var parts = new List<Batch>();
        while (rows > 0)
        {
            var (held, start) = pending[0];
            var length = Math.Min(rows, held.Size - start);
            parts.Add(held.Slice(start, length));
            rows -= length;
            if (start + length == held.Size)
            {
                held.Dispose();
                pending.RemoveAt(0);
            }
            else pending[0] = (held, start + length);
        }
        return HeldBatch.Join(parts);
    }
}
