using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// The whole training set of a source as in-memory tensors, row <c>i</c> = sample index <c>i</c>, with
/// the source's batching settings: what data-source algorithms (curriculum, data pruning) re-serve
/// in another order or subset. Owns its tensors when it materialized them.
/// </summary>
internal sealed class SampleSet
{
    private SampleSet(ITrainingData source, Tensor inputs, Tensor targets, int batchSize, bool shuffle, long seed, bool dropLast)
    {
        Source = source;
        Inputs = inputs;
        Targets = targets;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
    }

    /// <summary>The source the samples came from.</summary>
    public ITrainingData Source { get; }

    public Tensor Inputs { get; }

    public Tensor Targets { get; }

    public long Count => Inputs.shape[0];

    public int BatchSize { get; }

    public bool Shuffle { get; }

    public long Seed { get; }

    public bool DropLast { get; }

    /// <summary>
    /// The samples of <paramref name="data"/>: a <see cref="TensorTrainingData"/>'s tensors as they are;
    /// any other source is read once (epoch 0) and its rows put back in sample-index order, which needs
    /// <see cref="Batch.Indices"/> covering every index 0..n-1.
    /// </summary>
    public static SampleSet From(ITrainingData data, long seed, string algorithm)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data is TensorTrainingData t)
            return new SampleSet(data, t.Inputs, t.Targets, t.BatchSize, t.Shuffle, t.Seed, t.DropLast);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = new List<Tensor>();
        var targets = new List<Tensor>();
        var indices = new List<Tensor>();
        var batchSize = 0L;
        foreach (var batch in data.GetEpoch(0))
        {
            if (batch.Indices is null)
                throw new InvalidOperationException($"{algorithm} needs the samples' indices (Batch.Indices) to re-serve the training data, but {data.GetType().Name} provides none; use a source that fills them (TensorTrainingData, PrunedTrainingData, CurriculumTrainingData).");
            batchSize = Math.Max(batchSize, batch.Size);
            inputs.Add(batch.Input.detach());
            targets.Add(batch.Target.detach());
            indices.Add(batch.Indices);
        }
        if (inputs.Count == 0) throw new InvalidOperationException($"{algorithm}: the training data {data.GetType().Name} has no batches.");
        var idx = cat(indices, 0);
        var order = idx.argsort(0);
        var n = idx.shape[0];
        if (!idx.index_select(0, order).SameValues(arange(n, ScalarType.Int64)))
            throw new InvalidOperationException($"{algorithm}: epoch 0 of {data.GetType().Name} must serve every sample index 0..{n - 1} exactly once to be re-served.");
        var x = cat(inputs, 0).index_select(0, order).MoveToOuterDisposeScope().DetachFromDisposeScope();
        var y = cat(targets, 0).index_select(0, order).MoveToOuterDisposeScope().DetachFromDisposeScope();
        return new SampleSet(data, x, y, (int)batchSize, shuffle: true, seed, dropLast: false);
    }
}
