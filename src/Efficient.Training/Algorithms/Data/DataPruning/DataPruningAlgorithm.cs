using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="DataPruning"/>: warm-up, score and prune as one component. As a
/// data-source algorithm it serves the full training data until the warm-up
/// (<see cref="DataPruningOptions.WarmupEpochs"/> or <see cref="DataPruningOptions.Warmup"/>) is over;
/// at the next epoch start it scores every sample (EL2N with the model as it is then, or the forgetting
/// events it recorded on the training minibatches during the warm-up) and from then on serves only the
/// kept samples (<see cref="PrunedTrainingData"/>, same batch size, shuffling and seed as the source).
/// The kept indices and the recorded correctness are checkpointed, so a resumed run continues on the
/// same subset. Forgetting needs <see cref="Batch.Indices"/> on the training batches.
/// </summary>
public sealed class DataPruningAlgorithm : IDataSourceAlgorithm, ILossAlgorithm, IStatefulAlgorithm
{
    private readonly DataPruningOptions _options;
    private SampleSet? _samples;
    private PrunedTrainingData? _pruned;
    private long[]? _keep;
    private readonly List<float[]> _correct = new(); // one [n] row per recorded epoch, from _firstRecordedEpoch on
    private long _firstRecordedEpoch = -1;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public DataPruningAlgorithm(DataPruningOptions? options = null)
    {
        options ??= new DataPruningOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "DataPruning";

    /// <summary>The indices (into the full training set, ascending) of the kept samples, or null before pruning.</summary>
    public IReadOnlyList<long>? Kept => _keep;

    /// <inheritdoc />
    public ITrainingData Source(ITrainingData data, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(state);
        if (_samples is null || !ReferenceEquals(_samples.Source, data))
        {
            _samples = SampleSet.From(data, state.Seed, Name);
            _pruned = null;
        }
        if (_keep is null && WarmupOver(state)) _keep = Score(state);
        if (_keep is null) return data;
        return _pruned ??= new PrunedTrainingData(_samples.Inputs, _samples.Targets, _keep, _samples.BatchSize, _samples.Shuffle, _samples.Seed, _samples.DropLast);
    }

    /// <summary>Records, during a forgetting warm-up, whether each sample of the microbatch is classified correctly; the loss is <paramref name="next"/>'s.</summary>
    public Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(next);
        if (_options.Score == DataPruningScore.Forgetting && _keep is null && _samples is not null && context.State.IsTraining)
            Record(context, outputs);
        return next(outputs, target);
    }

    /// <inheritdoc />
    public AlgorithmState SaveState()
    {
        var s = new AlgorithmState();
        s.Values["pruned"] = _keep is null ? 0 : 1;
        if (_keep is not null) s.Tensors["keep"] = tensor(_keep);
        s.Values["firstRecordedEpoch"] = _firstRecordedEpoch;
        if (_correct.Count > 0) s.Tensors["correct"] = tensor(_correct.SelectMany(r => r).ToArray(), new long[] { _correct.Count, _correct[0].Length });
        return s;
    }

    /// <inheritdoc />
    public void LoadState(AlgorithmState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _keep = state.Values.TryGetValue("pruned", out var pruned) && pruned > 0 && state.Tensors.TryGetValue("keep", out var keep)
            ? keep.to_type(ScalarType.Int64).contiguous().data<long>().ToArray()
            : null;
        _pruned = null;
        _correct.Clear();
        _firstRecordedEpoch = state.Values.TryGetValue("firstRecordedEpoch", out var first) ? (long)first : -1;
        if (state.Tensors.TryGetValue("correct", out var correct))
        {
            var rows = correct.shape[0];
            var n = correct.shape[1];
            var all = correct.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            for (var r = 0; r < rows; r++) _correct.Add(all.AsSpan((int)(r * n), (int)n).ToArray());
        }
    }

    private bool WarmupOver(TrainingState state)
    {
        var t = state.Timestamp;
        if (_options.Warmup is { } warmup) return state.HasReached(warmup);
        return t.Epoch >= _options.WarmupEpochs;
    }

    private long[] Score(TrainingState state)
    {
        using var scope = NewDisposeScope();
        Tensor scores;
        if (_options.Score == DataPruningScore.El2n)
        {
            scores = DataPruning.El2nScoresCore(state.Model, _samples!.Inputs, _samples.Targets, numClasses: null, _options.ScoreBatchSize);
        }
        else
        {
            if (_correct.Count == 0)
                throw new InvalidOperationException($"{Name}: forgetting scores need correctness recorded during the warm-up, but none was (was the warm-up empty?).");
            scores = DataPruning.ForgettingScores(_correct.Select(r => tensor(r)).ToList());
        }
        var keep = DataPruning.Keep(scores, _options.PruneFraction);
        _correct.Clear(); // no longer needed once pruned
        return keep;
    }

    private void Record(MicrobatchContext context, Tensor outputs)
    {
        var batch = context.Batch;
        var indices = batch.Indices ?? throw new InvalidOperationException(
            $"{Name} with Score = Forgetting needs the samples' indices (Batch.Indices) of the training batches, but they are null: use a data source that provides them (TensorTrainingData, PrunedTrainingData, CurriculumTrainingData) and no data algorithm before it that changes the number of samples.");
        if (outputs.dim() != 2)
            throw new InvalidOperationException($"{Name} with Score = Forgetting needs classifier outputs [B, C] (got [{string.Join(", ", outputs.shape)}]).");
        var epoch = context.State.Timestamp.Epoch;
        if (_firstRecordedEpoch < 0) _firstRecordedEpoch = epoch;
        var n = _samples!.Count;
        // A new epoch's row starts as the previous one: a sample not seen in an epoch keeps its last state.
        while (_firstRecordedEpoch + _correct.Count <= epoch)
            _correct.Add(_correct.Count == 0 ? new float[n] : (float[])_correct[^1].Clone());
        var row = _correct[(int)(epoch - _firstRecordedEpoch)];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var target = batch.Target.is_floating_point() ? batch.Target.argmax(-1) : batch.Target.to_type(ScalarType.Int64);
        var correct = outputs.detach().argmax(-1).eq(target).to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var ids = indices.contiguous().data<long>().ToArray();
        for (var i = 0; i < ids.Length; i++) row[ids[i]] = correct[i];
    }
}
