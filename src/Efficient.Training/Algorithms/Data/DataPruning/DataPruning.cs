using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Data pruning by score (Paul et al. 2021, "Deep Learning on a Data Diet"): score every training
/// sample after a short warm-up, then train only on the hardest <c>1 - pruneFraction</c>. All functions
/// are pure given the model.
/// </summary>
public static class DataPruning
{
    /// <summary>
    /// EL2N scores: <c>|| softmax(model(x)) - onehot(y) ||_2</c> per sample, computed in evaluation mode
    /// and without gradients (the model's mode is restored), over chunks of <paramref name="batchSize"/>.
    /// Returns a float32 tensor of shape [n].
    /// </summary>
    public static Tensor El2nScores(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, int numClasses, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "The number of classes must be at least 1.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        return El2nScoresCore(model, inputs, targets, numClasses, batchSize);
    }

    /// <summary>EL2N with the number of classes taken from the outputs' last dimension when <paramref name="numClasses"/> is null.</summary>
    internal static Tensor El2nScoresCore(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, int? numClasses, int batchSize)
        => PerChunk(model, inputs, targets, batchSize, (o, t) =>
        {
            var p = o.softmax(-1);
            var diff = p - nn.functional.one_hot(t.to_type(ScalarType.Int64), numClasses ?? o.shape[^1]).to_type(p.dtype);
            return diff.pow(2).sum(new long[] { -1 }).sqrt();
        });

    /// <summary>Whether <paramref name="model"/> classifies each sample correctly (argmax of the output), in evaluation mode, without gradients.</summary>
    public static Tensor Correct(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        return PerChunk(model, inputs, targets, batchSize, (o, t) => o.argmax(-1).eq(t.to_type(ScalarType.Int64)).to_type(ScalarType.Float32));
    }

    /// <summary>
    /// Forgetting scores (Toneva et al. 2019): per sample, the number of correct-to-incorrect transitions
    /// across the recorded correctness tensors (one [n] tensor per recorded epoch, in order); a sample never
    /// learned counts as <paramref name="recordings"/>.Count + 1 forgettings (the hardest).
    /// </summary>
    public static Tensor ForgettingScores(IReadOnlyList<Tensor> recordings)
    {
        ArgumentNullException.ThrowIfNull(recordings);
        if (recordings.Count == 0) throw new ArgumentException("At least one recording of correctness is needed.", nameof(recordings));
        var rows = recordings.Select(r => r.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray()).ToArray();
        var n = rows[0].Length;
        if (rows.Any(r => r.Length != n)) throw new ArgumentException("All recordings must have the same number of samples.", nameof(recordings));
        var scores = new float[n];
        for (var i = 0; i < n; i++)
        {
            var forgot = 0;
            var learned = rows[0][i] > 0.5f;
            for (var e = 1; e < rows.Length; e++)
            {
                var now = rows[e][i] > 0.5f;
                if (rows[e - 1][i] > 0.5f && !now) forgot++;
                learned |= now;
            }
            scores[i] = learned ? forgot : rows.Length + 1;
        }
        return tensor(scores);
    }

    /// <summary>
    /// The indices (ascending) of the samples kept after dropping the easiest <paramref name="pruneFraction"/>:
    /// the <c>n - floor(pruneFraction * n)</c> highest scores; among equal scores the lower index counts as
    /// easier (is dropped first).
    /// </summary>
    public static long[] Keep(Tensor scores, double pruneFraction)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (!(pruneFraction >= 0 && pruneFraction < 1)) throw new ArgumentOutOfRangeException(nameof(pruneFraction), pruneFraction, "The prune fraction must be in [0, 1).");
        if (scores.dim() != 1) throw new ArgumentException($"The scores must be one value per sample (got shape [{string.Join(", ", scores.shape)}]).", nameof(scores));
        var s = scores.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var drop = (int)Math.Floor(pruneFraction * s.Length + 1e-9);
        var easiestFirst = Enumerable.Range(0, s.Length).OrderBy(i => s[i]).ThenBy(i => i);
        return easiestFirst.Skip(drop).OrderBy(i => i).Select(i => (long)i).ToArray();
    }

    /// <summary>
    /// Scores the samples as <paramref name="options"/> say (EL2N with the model as it is now, or
    /// forgetting events from the per-epoch <paramref name="recordings"/> of <see cref="Correct"/>
    /// taken during the warm-up) and returns the indices kept after dropping the easiest
    /// <see cref="DataPruningOptions.PruneFraction"/>. Call it after <see cref="DataPruningOptions.WarmupEpochs"/>
    /// epochs on the full set, then train on <see cref="PrunedTrainingData"/> with these indices.
    /// </summary>
    public static long[] Select(DataPruningOptions options, nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, int numClasses, IReadOnlyList<Tensor>? recordings = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var scope = NewDisposeScope();
        Tensor scores;
        if (options.Score == DataPruningScore.El2n)
        {
            scores = El2nScores(model, inputs, targets, numClasses);
        }
        else
        {
            if (recordings is null || recordings.Count < options.WarmupEpochs)
                throw new ArgumentException($"Forgetting scores need one recording of Correct(...) per warm-up epoch ({options.WarmupEpochs}); got {recordings?.Count ?? 0}.", nameof(recordings));
            scores = ForgettingScores(recordings);
        }
        return Keep(scores, options.PruneFraction);
    }

    /// <summary>Runs <paramref name="score"/> on chunks of the data in evaluation mode, without gradients; restores the mode; concatenates.</summary>
    internal static Tensor PerChunk(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, int batchSize, Func<Tensor, Tensor, Tensor> score)
    {
        SampleArgs.ThrowIfNotPaired(inputs, targets);
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var n = inputs.shape[0];
            var parts = new List<Tensor>();
            for (long start = 0; start < n; start += batchSize)
            {
                var length = Math.Min(batchSize, n - start);
                parts.Add(score(model.call(inputs.narrow(0, start, length)), targets.narrow(0, start, length)).to_type(ScalarType.Float32));
            }
            return cat(parts, 0).MoveToOuterDisposeScope();
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
