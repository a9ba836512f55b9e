using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// The training data served echoed (<see cref="DataEchoing"/>): epoch <c>n</c> is the source's epoch <c>n</c>
/// with each fresh batch used its echo count of times (batch mode), or its examples repeated and shuffled per
/// buffer (example mode). Counts are drawn from a generator seeded by (seed, epoch), permutations from one seeded
/// by (seed, epoch, buffer), so an epoch depends only on them; skipping (resume) opens the source at the fresh
/// batch (batch mode) or the buffer start (example mode) holding the first batch still to serve.
/// </summary>
internal sealed class EchoedTrainingData : ITrainingData
{
    private readonly ITrainingData _source;
    private readonly double _echoFactor;
    private readonly DataEchoingMode _mode;
    private readonly int _bufferBatches;
    private readonly long _seed;
    private readonly long _epoch;

    public EchoedTrainingData(ITrainingData source, double echoFactor, DataEchoingMode mode, int bufferBatches, long seed, long epoch)
    {
        _source = source;
        _echoFactor = echoFactor;
        _mode = mode;
        _bufferBatches = bufferBatches;
        _seed = seed;
        _epoch = epoch;
    }

    private bool Whole => _echoFactor == Math.Floor(_echoFactor);

    /// <inheritdoc />
    public long? BatchesPerEpoch
    {
        get
        {
            if (_source.BatchesPerEpoch is not { } fresh) return null;
            if (Whole) return fresh * (long)_echoFactor;
            using var counts = new Counts(_echoFactor, _seed, _epoch);
            long total = 0;
            for (long j = 0; j < fresh; j++) total += counts[j];
            return total;
        }
    }

    /// <inheritdoc />
    public long? SamplesPerEpoch
    {
        get
        {
            if (Whole) return _source.SamplesPerEpoch * (long)_echoFactor;
            if (FreshSizes() is not { } sizes) return null;
            using var counts = new Counts(_echoFactor, _seed, _epoch);
            return sizes.Select((s, j) => s * counts[j]).Sum();
        }
    }

    /// <inheritdoc />
    public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0)
    {
        if (skipBatches < 0) throw new ArgumentOutOfRangeException(nameof(skipBatches), skipBatches, "Cannot skip a negative number of batches.");
        return Serve(epoch, skipBatches);
    }

    private IEnumerable<Batch> Serve(long epoch, long skipBatches)
    {
        using var counts = new Counts(_echoFactor, _seed, epoch);
        // The first fresh batch to open (a buffer start in example mode) and the echoed batches to skip from it.
        long first = 0, before = 0, unit = _mode == DataEchoingMode.Batch ? 1 : _bufferBatches;
        var limit = _source.BatchesPerEpoch;
        while (true)
        {
            long group = 0;
            for (var j = first; j < first + unit && (limit is null || j < limit); j++) group += counts[j];
            if (group == 0 || before + group > skipBatches) break;
            before += group;
            first += unit;
        }
        var bufferSeed = unchecked(_seed * 1_000_003 + epoch);
        var echoed = DataEchoing.Run(_source.GetEpoch(epoch, first), first, j => counts[j], _mode, _bufferBatches, (w, n) =>
        {
            using var g = new Generator(unchecked((ulong)(bufferSeed * 7_919 + w) ^ 0xEC40_0000_0000_0002UL));
            return randperm(n, generator: g);
        }, skipBatches - before);
        foreach (var batch in echoed) yield return batch;
    }

    /// <summary>The fresh batch sizes of an in-memory source (null when not known without reading it).</summary>
    private long[]? FreshSizes()
    {
        if (_source is not TensorTrainingData t || t.BatchesPerEpoch is not { } n || t.SamplesPerEpoch is not { } samples) return null;
        return Enumerable.Range(0, (int)n).Select(j => Math.Min(t.BatchSize, samples - (long)j * t.BatchSize)).ToArray();
    }

    /// <summary>The echo count of each fresh batch of one epoch, drawn in order (lazily) from a generator seeded by (seed, epoch).</summary>
    private sealed class Counts : IDisposable
    {
        private readonly double _echoFactor;
        private readonly Generator? _generator;
        private readonly List<int> _drawn = new();

        public Counts(double echoFactor, long seed, long epoch)
        {
            _echoFactor = echoFactor;
            if (echoFactor != Math.Floor(echoFactor))
                _generator = new Generator(unchecked((ulong)(seed * 1_000_003 + epoch) ^ 0xEC40_0000_0000_0001UL));
        }

        public int this[long j]
        {
            get
            {
                while (_drawn.Count <= j) _drawn.Add(DataEchoing.NextCount(_echoFactor, _generator));
                return _drawn[(int)j];
            }
        }

        public void Dispose() => _generator?.Dispose();
    }
}
