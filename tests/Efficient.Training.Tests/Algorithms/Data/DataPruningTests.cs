using System.Collections.Generic;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class DataPruningTests
{
    /// <summary>Returns its input: the logits are the input itself.</summary>
    private sealed class Identity : nn.Module<Tensor, Tensor>
    {
        public Identity() : base(nameof(Identity)) => RegisterComponents();

        public override Tensor forward(Tensor input) => input.alias();
    }

    private static System.Text.Json.JsonElement PruningReference(string name)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_pruning.json");
        using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(path));
        return doc.RootElement.GetProperty(name).Clone();
    }

    [Fact]
    public void El2nMatchesPyTorch()
    {
        var r = PruningReference("el2n");
        var logits = Formula(Shape(r.GetProperty("shape")));
        var targets = tensor(r.GetProperty("targets").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        var model = new Identity();
        var scores = DataPruning.El2nScores(model, logits, targets, numClasses: 4, batchSize: 4);
        var expected = Doubles(r.GetProperty("scores"));
        var got = Floats(scores);
        got.Should().HaveCount(expected.Length);
        for (var i = 0; i < got.Length; i++) ((double)got[i]).Should().BeApproximately(expected[i], 1e-5);
        model.training.Should().BeTrue("the model's mode is restored");
    }

    [Fact]
    public void KeepDropsTheEasiestTiesByIndex()
    {
        var scores = tensor(new[] { 0.5f, 0.1f, 0.9f, 0.1f, 0.7f });
        DataPruning.Keep(scores, 0.4).Should().Equal(0, 2, 4);
        DataPruning.Keep(scores, 0.3).Should().Equal(0, 2, 3, 4); // floor(1.5) = 1 dropped: index 1 before index 3
        DataPruning.Keep(scores, 0).Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public void ForgettingCountsCorrectToIncorrectTransitions()
    {
        var recordings = new[]
        {
            tensor(new[] { 1f, 1f, 0f, 0f }),
            tensor(new[] { 0f, 1f, 1f, 0f }),
            tensor(new[] { 1f, 1f, 0f, 0f }),
        };
        Floats(DataPruning.ForgettingScores(recordings)).Should().Equal(1f, 0f, 1f, 4f);
        var (x, y) = Images(6, 4);
        Floats(DataPruning.Correct(new PoolNet(), x, y)).Should().OnlyContain(v => v == 0f || v == 1f);
    }

    [Fact]
    public void PrunedDataServesOnlyKeptSamples()
    {
        var x = arange(10, dtype: ScalarType.Float32).reshape(10, 1);
        var y = arange(10, ScalarType.Int64);
        var data = new PrunedTrainingData(x, y, new long[] { 1, 3, 5, 7, 8 }, batchSize: 2, seed: 5);
        data.BatchesPerEpoch.Should().Be(3);
        data.SamplesPerEpoch.Should().Be(5);
        var served = data.GetEpoch(0).SelectMany(b => Longs(b.Target)).ToList();
        served.Should().BeEquivalentTo(new long[] { 1, 3, 5, 7, 8 });
        var tail = data.GetEpoch(0, skipBatches: 1).SelectMany(b => Longs(b.Target)).ToList();
        tail.Should().Equal(served.Skip(2));
    }

    [Fact]
    public void TrainerRunsOnPrunedData()
    {
        var (x, y) = Images(20, 4);
        var model = new PoolNet();
        var warmup = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.01),
            TrainData = new TensorTrainingData(x, y, 5, seed: 1),
            MaxDuration = Duration.Parse("1ep"),
            Seed = 7,
        };
        new Trainer(warmup).Fit();
        var keep = DataPruning.Select(new DataPruningOptions(), model, x, y, numClasses: 3);
        keep.Should().HaveCount(14);
        keep.Should().Equal(DataPruning.Keep(DataPruning.El2nScores(model, x, y, numClasses: 3), 0.3));
        var recorder = new BatchRecorder();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.01),
            TrainData = new PrunedTrainingData(x, y, keep, 5, seed: 2),
            MaxDuration = Duration.Parse("1ep"),
            Seed = 7,
        };
        options.Callbacks.Add(recorder);
        new Trainer(options).Fit();
        recorder.Batches.Should().HaveCount(3);
        recorder.Batches.Sum(b => b.input.shape[0]).Should().Be(14);
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new DataPruningOptions().Validate();
        var act = () => new DataPruningOptions { PruneFraction = 1, WarmupEpochs = 1, Score = DataPruningScore.Forgetting }.Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "DataPruningOptions is invalid: Property PruneFraction: 1 is invalid; expected a value in [0, 1). " +
            "Property WarmupEpochs: 1 is invalid; expected an integer >= 2 (Forgetting needs two recorded epochs).");
        var negative = () => new DataPruningOptions { WarmupEpochs = -1 }.Validate();
        negative.Should().Throw<OptionsValidationException>().WithMessage(
            "DataPruningOptions is invalid: Property WarmupEpochs: -1 is invalid; expected an integer >= 0.");
    }

    [Fact]
    public void SelectWithForgettingNeedsTheWarmupRecordings()
    {
        var (x, y) = Images(20, 4);
        var model = new PoolNet();
        var options = new DataPruningOptions { Score = DataPruningScore.Forgetting, WarmupEpochs = 2, PruneFraction = 0.5 };
        var act = () => DataPruning.Select(options, model, x, y, 3);
        act.Should().Throw<ArgumentException>().WithMessage("Forgetting scores need one recording of Correct(...) per warm-up epoch (2); got 0.*");
        var recordings = new[] { DataPruning.Correct(model, x, y), DataPruning.Correct(model, x, y) };
        DataPruning.Select(options, model, x, y, 3, recordings).Should().HaveCount(10);
    }
}
