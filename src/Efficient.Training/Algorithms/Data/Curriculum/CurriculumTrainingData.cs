using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Curriculum learning by difficulty score (DeepSpeed's curriculum sampler): samples are ranked by a
/// per-sample difficulty (lower is easier; ties by index), and batch <c>b</c> of epoch <c>e</c> (global
/// step <c>e * BatchesPerEpoch + b</c>) is drawn from the easiest <see cref="CurriculumPacing.Fraction"/>
/// of the samples, shuffled with a generator seeded from (seed, epoch, batch). A batch depends only on
/// the seed, the epoch and its index, so resume is exact. Batches carry their sample indices
/// (<see cref="Batch.Indices"/>).
/// </summary>
public sealed class CurriculumTrainingData : ITrainingData
{
    private readonly Tensor _inputs;
    private readonly Tensor _targets;
    private readonly Tensor _easiestFirst;
    private readonly long _n;

    /// <summary>
    /// Creates the source from inputs, targets and a difficulty per sample (shape [n]). Every batch has
    /// <c>min(batchSize, n)</c> samples; when fewer samples are allowed than a batch holds, they are drawn
    /// with replacement.
    /// </summary>
    public CurriculumTrainingData(Tensor inputs, Tensor targets, Tensor difficulty, int batchSize, CurriculumOptions options, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(difficulty);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        SampleArgs.ThrowIfNotPaired(inputs, targets);
        if (difficulty.dim() != 1 || difficulty.shape[0] != inputs.shape[0])
            throw new ArgumentException($"The difficulty must have one value per sample (shape [{inputs.shape[0]}], got [{string.Join(", ", difficulty.shape)}]).", nameof(difficulty));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        _inputs = inputs;
        _targets = targets;
        _n = inputs.shape[0];
        BatchSize = batchSize;
        Options = options;
        Seed = seed;
        _easiestFirst = tensor(EasiestFirst(difficulty)).DetachFromDisposeScope();
    }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The schedule.</summary>
    public CurriculumOptions Options { get; }

    /// <summary>The seed of the shuffling.</summary>
    public long Seed { get; }

    /// <inheritdoc />
    public long? BatchesPerEpoch => (_n + BatchSize - 1) / BatchSize;

    /// <inheritdoc />
    public long? SamplesPerEpoch => BatchesPerEpoch * Math.Min(BatchSize, _n);

    /// <summary>Sample indices sorted by increasing difficulty, ties broken by index.</summary>
    public static long[] EasiestFirst(Tensor difficulty)
    {
        ArgumentNullException.ThrowIfNull(difficulty);
        var d = difficulty.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        return Enumerable.Range(0, d.Length).OrderBy(i => d[i]).ThenBy(i => i).Select(i => (long)i).ToArray();
    }

    /// <summary>The sample indices of batch <paramref name="batch"/> of epoch <paramref name="epoch"/>.</summary>
    public Tensor BatchIndices(long epoch, long batch)
    {
        var step = epoch * BatchesPerEpoch!.Value + batch;
        var available = CurriculumPacing.AvailableCount(CurriculumPacing.Fraction(Options, step), _n);
        var size = Math.Min(BatchSize, _n);
        using var g = new Generator(unchecked((ulong)((Seed * 1_000_003 + epoch) * 1_000_033 + batch)));
        using var scope = NewDisposeScope();
        var pick = available >= size
            ? randperm(available, generator: g).narrow(0, 0, size)
            : randint(0, available, new long[] { size }, generator: g);
        return _easiestFirst.index_select(0, pick).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0)
    {
        if (skipBatches < 0) throw new ArgumentOutOfRangeException(nameof(skipBatches), skipBatches, "Cannot skip a negative number of batches.");
        return Iterate(epoch, skipBatches);
    }

    private IEnumerable<Batch> Iterate(long epoch, long skipBatches)
    {
        var batches = BatchesPerEpoch!.Value;
        for (var b = skipBatches; b < batches; b++)
        {
            var idx = BatchIndices(epoch, b);
            yield return new Batch(_inputs.index_select(0, idx), _targets.index_select(0, idx), indices: idx);
        }
    }

    /// <summary>
    /// A loss-based difficulty: the per-sample loss of <paramref name="model"/> (default cross-entropy), in
    /// evaluation mode and without gradients, over chunks of <paramref name="batchSize"/> samples.
    /// </summary>
    public static Tensor LossScores(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, Func<Tensor, Tensor, Tensor>? perSampleLoss = null, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        perSampleLoss ??= SelectiveBackprop.CrossEntropyPerSample;
        return DataPruning.PerChunk(model, inputs, targets, batchSize, (o, t) => perSampleLoss(o, t));
    }
}
