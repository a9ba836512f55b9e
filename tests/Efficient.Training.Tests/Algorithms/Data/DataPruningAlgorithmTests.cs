using System.Collections.Generic;
using System.IO;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Algorithms.Data;

public sealed class DataPruningAlgorithmTests
{
    /// <summary>Records the sample indices and the epoch of every training batch, and the state's epoch sizes at each epoch start.</summary>
    private sealed class IndexRecorder : ITrainingCallback
    {
        public List<(long epoch, long[] indices)> Batches { get; } = new();
        public List<long?> BatchesPerEpoch { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.EpochStart) BatchesPerEpoch.Add(state.BatchesPerEpoch);
            if (trainingEvent == TrainingEvent.BatchStart)
                Batches.Add((state.Timestamp.Epoch, state.Batch!.Indices!.contiguous().data<long>().ToArray()));
        }
    }

    /// <summary>A loss hook that records, per epoch, whether each training sample was classified correctly (the forgetting reference).</summary>
    private sealed class CorrectnessRecorder : ILossAlgorithm
    {
        private readonly int _n;
        public CorrectnessRecorder(int n) => _n = n;
        public string Name => "CorrectnessRecorder";
        public List<float[]> Epochs { get; } = new();

        public Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> next)
        {
            var epoch = (int)context.State.Timestamp.Epoch;
            while (Epochs.Count <= epoch) Epochs.Add(Epochs.Count == 0 ? new float[_n] : (float[])Epochs[^1].Clone());
            var correct = outputs.detach().argmax(-1).eq(target).to_type(ScalarType.Float32).data<float>().ToArray();
            var ids = context.Batch.Indices!.data<long>().ToArray();
            for (var i = 0; i < ids.Length; i++) Epochs[epoch][ids[i]] = correct[i];
            return next(outputs, target);
        }
    }

    private static Mlp Model(Dictionary<string, Tensor> initial)
    {
        var model = new Mlp();
        model.load_state_dict(initial);
        return model;
    }

    [Fact]
    public void El2nWarmupThenTrainsOnlyOnTheKeptSamples()
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        var initial = InitialMlpWeights();

        // Reference: one plain warm-up epoch, then the functional scoring.
        using var warmed = Model(initial);
        new Trainer(SgdMlpRun(warmed, x, y, "1ep")).Fit();
        var expectedKeep = DataPruning.Keep(DataPruning.El2nScores(warmed, x, y, numClasses: 3), 0.5);

        using var model = Model(initial);
        var algorithm = new DataPruningAlgorithm(new DataPruningOptions { PruneFraction = 0.5, WarmupEpochs = 1 });
        var recorder = new IndexRecorder();
        var options = SgdMlpRun(model, x, y, "3ep", algorithm);
        options.Callbacks.Add(recorder);
        var result = new Trainer(options).Fit();

        algorithm.Kept.Should().Equal(expectedKeep);
        recorder.BatchesPerEpoch.Should().Equal(6, 3, 3);
        result.Timestamp.Batch.Should().Be(12);
        var warmup = recorder.Batches.Where(b => b.epoch == 0).SelectMany(b => b.indices).OrderBy(i => i);
        warmup.Should().Equal(Enumerable.Range(0, 48).Select(i => (long)i), "the warm-up sees every sample once");
        foreach (var epoch in new[] { 1L, 2L })
            recorder.Batches.Where(b => b.epoch == epoch).SelectMany(b => b.indices).OrderBy(i => i).Should().Equal(expectedKeep, "after pruning each epoch sees every kept sample once");
    }

    [Fact]
    public void ForgettingScoresComeFromTheWarmupMinibatches()
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        var initial = InitialMlpWeights();

        // Reference: a plain run with a hook recording per-sample correctness on the training minibatches.
        using var reference = Model(initial);
        var correctness = new CorrectnessRecorder(48);
        new Trainer(SgdMlpRun(reference, x, y, "3ep", correctness)).Fit();
        var expectedKeep = DataPruning.Keep(DataPruning.ForgettingScores(correctness.Epochs.Select(e => tensor(e)).ToList()), 0.25);

        using var model = Model(initial);
        var algorithm = new DataPruningAlgorithm(new DataPruningOptions { PruneFraction = 0.25, WarmupEpochs = 3, Score = DataPruningScore.Forgetting });
        var result = new Trainer(SgdMlpRun(model, x, y, "4ep", algorithm)).Fit();
        algorithm.Kept.Should().Equal(expectedKeep);
        result.Timestamp.Batch.Should().Be(3 * 6 + 5, "36 kept samples in batches of 8");
    }

    [Fact]
    public void AWarmupDurationPrunesAtTheFollowingEpochStart()
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        using var model = Model(InitialMlpWeights());
        var algorithm = new DataPruningAlgorithm(new DataPruningOptions { PruneFraction = 0.5, Warmup = Duration.Parse("8ba") });
        var recorder = new IndexRecorder();
        var options = SgdMlpRun(model, x, y, "3ep", algorithm);
        options.Callbacks.Add(recorder);
        new Trainer(options).Fit();
        recorder.BatchesPerEpoch.Should().Equal(new long?[] { 6, 6, 3 }, "8 batches end inside epoch 1, so pruning happens at the start of epoch 2");
    }

    [Theory]
    [InlineData(DataPruningScore.Forgetting, 9)]  // interrupted during the warm-up (epoch 1)
    [InlineData(DataPruningScore.Forgetting, 14)] // interrupted after pruning (epoch 2, third batch)
    [InlineData(DataPruningScore.El2n, 14)]
    public void AResumedRunContinuesOnTheSameSubsetAndEqualsTheUninterruptedOne(DataPruningScore score, long interruptAt)
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        var initial = InitialMlpWeights();
        DataPruningOptions Pruning() => new() { PruneFraction = 0.5, WarmupEpochs = 2, Score = score };

        TrainerOptions Run(Mlp model, string? folder)
        {
            var options = SgdMlpRun(model, x, y, "4ep", new DataPruningAlgorithm(Pruning()));
            if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("1ba") };
            return options;
        }

        using var runs = ResumeHarness.Run(() => Model(initial), Run, interruptAt, resumedModel: () =>
        {
            manual_seed(999);
            return Model(initial);
        });
        var (reference, expected) = (runs.Uninterrupted.Model, runs.Uninterrupted.Result);
        var full = runs.Uninterrupted.Options.Algorithms.OfType<DataPruningAlgorithm>().Single();
        expected.Timestamp.Batch.Should().Be(12 + 6);

        runs.Interrupted.Result.StopReason.Should().Be("cancelled");

        var (second, resumed) = (runs.Resumed.Model, runs.Resumed.Result);
        var resumedAlgorithm = runs.Resumed.Options.Algorithms.OfType<DataPruningAlgorithm>().Single();
        resumed.Timestamp.Batch.Should().Be(expected.Timestamp.Batch);
        resumedAlgorithm.Kept.Should().Equal(full.Kept!);
        var want = Weights(reference);
        var got = Weights(second);
        foreach (var (name, w) in want) got[name].Should().Equal(w, $"{name} must be bit-identical after resume");
    }

    /// <summary>Another kind of source over the same batches, optionally without sample indices.</summary>
    private sealed class Wrapped : ITrainingData
    {
        private readonly ITrainingData _inner;
        private readonly bool _dropIndices;
        public Wrapped(ITrainingData inner, bool dropIndices = false) => (_inner, _dropIndices) = (inner, dropIndices);
        public long? BatchesPerEpoch => _inner.BatchesPerEpoch;
        public long? SamplesPerEpoch => _inner.SamplesPerEpoch;
        public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0) =>
            _inner.GetEpoch(epoch, skipBatches).Select(b => _dropIndices ? new Batch(b.Input, b.Target) : b);
    }

    [Fact]
    public void AnyIndexedSourceIsReadBackInSampleOrder()
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        var initial = InitialMlpWeights();
        DataPruningOptions Pruning() => new() { PruneFraction = 0.5, WarmupEpochs = 1 };

        using var direct = Model(initial);
        var onTensors = new DataPruningAlgorithm(Pruning());
        new Trainer(SgdMlpRun(direct, x, y, "2ep", onTensors)).Fit();

        using var wrapped = Model(initial);
        var onWrapped = new DataPruningAlgorithm(Pruning());
        var options = SgdMlpRun(wrapped, x, y, "2ep", onWrapped);
        options.TrainData = new Wrapped(options.TrainData!);
        new Trainer(options).Fit();
        onWrapped.Kept.Should().Equal(onTensors.Kept!, "the scores are computed on the same samples in the same order");

        using var third = Model(initial);
        var noIndices = SgdMlpRun(third, x, y, "2ep", new DataPruningAlgorithm(Pruning()));
        noIndices.TrainData = new Wrapped(noIndices.TrainData!, dropIndices: true);
        var act = () => new Trainer(noIndices).Fit();
        act.Should().Throw<InvalidOperationException>().WithMessage("DataPruning needs the samples' indices (Batch.Indices) to re-serve the training data, but Wrapped provides none*");
    }

    [Fact]
    public void ForgettingWithoutSampleIndicesIsAClearError()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 16);
        using var model = new Mlp();
        var algorithm = new DataPruningAlgorithm(new DataPruningOptions { Score = DataPruningScore.Forgetting, WarmupEpochs = 2 });
        var state = Efficient.Training.Tests.Algorithms.AlgorithmRuns.Context(model, new Batch(x, y)).State;
        algorithm.Source(new TensorTrainingData(x, y, 8), state);
        var context = Efficient.Training.Tests.Algorithms.AlgorithmRuns.Context(model, new Batch(x, y));
        var act = () => algorithm.Loss(context, model.call(x), y, (o, t) => nn.functional.cross_entropy(o, t));
        act.Should().Throw<InvalidOperationException>().WithMessage("DataPruning with Score = Forgetting needs the samples' indices (Batch.Indices)*");
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new DataPruningOptions { Score = DataPruningScore.Forgetting, Warmup = Duration.Parse("10ba") }.Validate();
        var act = () => new DataPruningAlgorithm(new DataPruningOptions { PruneFraction = 1, Warmup = Duration.Parse("0ba"), ScoreBatchSize = 0 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "DataPruningOptions is invalid: Property PruneFraction: 1 is invalid; expected a value in [0, 1). " +
            "Property Warmup: 0ba is invalid; expected null or a duration > 0. " +
            "Property ScoreBatchSize: 0 is invalid; expected an integer >= 1.");
    }
}
