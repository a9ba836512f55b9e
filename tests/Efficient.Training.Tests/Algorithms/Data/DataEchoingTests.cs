using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Algorithms.Data;

public sealed class DataEchoingTests
{
    private sealed class IndexRecorder : ITrainingCallback
    {
        public List<long[]> Batches { get; } = new();
        public List<float[]> Inputs { get; } = new();
        public List<long?> BatchesPerEpoch { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent != TrainingEvent.BatchStart) return;
            Batches.Add(state.Batch!.Indices!.contiguous().data<long>().ToArray());
            Inputs.Add(Floats(state.Batch.Input));
            BatchesPerEpoch.Add(state.BatchesPerEpoch);
        }
    }

    private static JsonElement Cases()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_data_pipeline.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("echoing").Clone();
    }

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static List<long[]> Batches(JsonElement e) => e.EnumerateArray().Select(b => b.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToList();

    // Reference/generate_techniques_data_pipeline.py: the paper's pipeline stages on index lists, with injected
    // counts and permutations; integer bookkeeping, so the comparison is exact.
    [Fact]
    public void PlanMatchesThePapersPipelineForInjectedCountsAndPermutations()
    {
        foreach (var c in Cases().EnumerateArray())
        {
            var name = c.GetProperty("name").GetString();
            var sizes = Ints(c.GetProperty("sizes"));
            var counts = Ints(c.GetProperty("counts"));
            var buffer = c.GetProperty("buffer_batches").GetInt32();
            var permutations = c.GetProperty("permutations").EnumerateArray().Select(p => tensor(p.EnumerateArray().Select(v => v.GetInt64()).ToArray())).ToList();

            var batch = DataEchoing.Plan(sizes, counts, DataEchoingMode.Batch);
            var expected = Batches(c.GetProperty("batch"));
            batch.Should().HaveCount(expected.Count, name);
            for (var i = 0; i < expected.Count; i++) batch[i].Should().Equal(expected[i], $"{name}: batch echoing, batch {i}");

            var example = DataEchoing.Plan(sizes, counts, DataEchoingMode.Example, buffer, permutations);
            expected = Batches(c.GetProperty("example"));
            example.Should().HaveCount(expected.Count, name);
            for (var i = 0; i < expected.Count; i++) example[i].Should().Equal(expected[i], $"{name}: example echoing, batch {i}");
        }
    }

    [Fact]
    public void EchoCountsAreTheWholePartPlusABernoulliExtra()
    {
        DataEchoing.EchoCounts(5, 3).Should().Equal(3, 3, 3, 3, 3);
        using var g = new Generator(5);
        var counts = DataEchoing.EchoCounts(4000, 1.25, g);
        counts.Should().OnlyContain(c => c == 1 || c == 2);
        counts.Average().Should().BeApproximately(1.25, 0.03); // 4000 Bernoulli(0.25) draws: sd of the mean ≈ 0.007
        using var again = new Generator(5);
        DataEchoing.EchoCounts(4000, 1.25, again).Should().Equal(counts);
    }

    private static List<Batch> FreshBatches(int n, int batchSize)
    {
        var x = arange(n * 2, dtype: ScalarType.Float32).reshape(n, 2);
        var y = arange(n, ScalarType.Int64);
        return new TensorTrainingData(x, y, batchSize, shuffle: false).GetEpoch(0).ToList();
    }

    [Fact]
    public void EchoServesEachBatchTwiceAndCopiesOutliveEachOther()
    {
        var echoed = new List<(long[] ids, float[] x)>();
        foreach (var b in DataEchoing.Echo(FreshBatches(10, 4), new DataEchoingOptions { EchoFactor = 2 }))
        {
            echoed.Add((Longs(b.Indices!), Floats(b.Input)));
            b.Input.Dispose();   // a consumer freeing its batch must not free the next copy
            b.Indices!.Dispose();
        }
        echoed.Select(e => e.ids).Should().BeEquivalentTo(new[] { new long[] { 0, 1, 2, 3 }, new long[] { 0, 1, 2, 3 }, new long[] { 4, 5, 6, 7 }, new long[] { 4, 5, 6, 7 }, new long[] { 8, 9 }, new long[] { 8, 9 } }, o => o.WithStrictOrdering());
        echoed[1].x.Should().Equal(echoed[0].x);
        echoed[5].x.Should().Equal(16f, 17f, 18f, 19f);
    }

    [Fact]
    public void ExampleEchoFollowsThePlanWithTheSameGenerator()
    {
        var options = new DataEchoingOptions { EchoFactor = 2, Mode = DataEchoingMode.Example, ShuffleBufferBatches = 2 };
        using var g = new Generator(9);
        var echoed = DataEchoing.Echo(FreshBatches(10, 4), options, g).Select(b => (ids: Longs(b.Indices!), x: Floats(b.Input), y: Longs(b.Target))).ToList();
        using var h = new Generator(9);
        var plan = DataEchoing.Plan(new[] { 4, 4, 2 }, new[] { 2, 2, 2 }, DataEchoingMode.Example, 2, generator: h);
        echoed.Should().HaveCount(6);
        for (var i = 0; i < 6; i++)
        {
            echoed[i].ids.Should().Equal(plan[i], $"batch {i}");
            echoed[i].y.Should().Equal(plan[i], $"targets of batch {i}");
            echoed[i].x.Should().Equal(plan[i].SelectMany(r => new[] { 2f * r, 2f * r + 1 }), $"inputs of batch {i}");
        }
        // Each example twice, copies only within its buffer (fresh batches 0-1, then 2).
        echoed.Take(4).SelectMany(e => e.ids).GroupBy(i => i).Should().OnlyContain(grp => grp.Count() == 2).And.HaveCount(8);
    }

    [Fact]
    public void InTheTrainerEachBatchIsEchoedAndAugmentedSeparately()
    {
        var (x, y) = Images(16, 6);
        using var model = new PoolNet();
        var recorder = new IndexRecorder();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.01),
            TrainData = new TensorTrainingData(x, y, 4, shuffle: false),
            MaxDuration = Duration.Parse("1ep"),
            Seed = 7,
        };
        options.Algorithms.Add(new DataEchoingAlgorithm());
        options.Algorithms.Add(new CutOutAlgorithm(new CutOutOptions { NumHoles = 1, Length = 0.5 }));
        options.Callbacks.Add(recorder);
        var result = new Trainer(options).Fit();

        result.Timestamp.Batch.Should().Be(8);
        result.Timestamp.Sample.Should().Be(32, "echoed samples count as trained samples");
        recorder.BatchesPerEpoch.Should().OnlyContain(n => n == 8);
        for (var i = 0; i < 8; i++) recorder.Batches[i].Should().Equal(Enumerable.Range(i / 2 * 4, 4).Select(v => (long)v), $"batch {i}");
        for (var i = 0; i < 8; i += 2) recorder.Inputs[i].Should().NotEqual(recorder.Inputs[i + 1], "CutOut after echoing cuts each copy anew");
    }

    [Fact]
    public void ExampleEchoingInTheTrainerServesEveryExampleEchoFactorTimesWithinItsBuffer()
    {
        var (x, y) = Images(16, 4);
        using var model = new PoolNet();
        var recorder = new IndexRecorder();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.01),
            TrainData = new TensorTrainingData(x, y, 4, shuffle: false),
            MaxDuration = Duration.Parse("1ep"),
            Seed = 7,
        };
        options.Algorithms.Add(new DataEchoingAlgorithm(new DataEchoingOptions { EchoFactor = 3, Mode = DataEchoingMode.Example, ShuffleBufferBatches = 2 }));
        options.Callbacks.Add(recorder);
        new Trainer(options).Fit();

        recorder.Batches.Should().HaveCount(12).And.OnlyContain(b => b.Length == 4);
        var firstBuffer = recorder.Batches.Take(6).SelectMany(b => b).ToList();
        firstBuffer.Should().OnlyContain(i => i < 8);
        firstBuffer.GroupBy(i => i).Should().HaveCount(8).And.OnlyContain(grp => grp.Count() == 3);
        recorder.Batches.Take(6).Should().Contain(b => b.Distinct().Count() > 1 && !b.SequenceEqual(recorder.Batches[0]), "examples are shuffled across the buffer's batches");
    }

    [Theory]
    [InlineData(DataEchoingMode.Batch, 2.0, 5)]
    [InlineData(DataEchoingMode.Batch, 1.5, 13)]
    [InlineData(DataEchoingMode.Example, 2.0, 7)]
    [InlineData(DataEchoingMode.Example, 2.5, 10)]
    public void AResumedRunEqualsTheUninterruptedOne(DataEchoingMode mode, double echoFactor, long interruptAt)
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        var initial = InitialMlpWeights();

        Mlp Model()
        {
            var model = new Mlp();
            model.load_state_dict(initial);
            return model;
        }

        TrainerOptions Run(Mlp model, string? folder)
        {
            var options = SgdMlpRun(model, x, y, "2ep", new DataEchoingAlgorithm(new DataEchoingOptions { EchoFactor = echoFactor, Mode = mode, ShuffleBufferBatches = 4 }));
            if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("1ba") };
            return options;
        }

        using var runs = ResumeHarness.Run(Model, Run, interruptAt);
        runs.Interrupted.Result.StopReason.Should().Be("cancelled");
        runs.Interrupted.Result.Timestamp.Batch.Should().Be(interruptAt);
        runs.Resumed.Result.Timestamp.Should().BeEquivalentTo(runs.Uninterrupted.Result.Timestamp, o => o.Excluding(t => t.TotalWallClock));
        var want = Weights(runs.Uninterrupted.Model);
        var got = Weights(runs.Resumed.Model);
        foreach (var (name, w) in want) got[name].Should().Equal(w, $"{name} must be bit-identical after resume");
    }

    [Fact]
    public void AnEpochDependsOnlyOnTheSeedAndTheEpoch()
    {
        var (x, y) = Images(16, 4);
        List<long[]> Indices(long seed)
        {
            using var model = new PoolNet();
            var recorder = new IndexRecorder();
            var options = new TrainerOptions
            {
                Model = model,
                Optimizer = p => optim.SGD(p, learningRate: 0.01),
                TrainData = new TensorTrainingData(x, y, 4, seed: 1),
                MaxDuration = Duration.Parse("2ep"),
                Seed = seed,
            };
            options.Algorithms.Add(new DataEchoingAlgorithm(new DataEchoingOptions { EchoFactor = 1.5, Mode = DataEchoingMode.Example, ShuffleBufferBatches = 2 }));
            options.Callbacks.Add(recorder);
            new Trainer(options).Fit();
            return recorder.Batches;
        }

        var a = Indices(3);
        var b = Indices(3);
        b.Should().HaveCount(a.Count);
        for (var i = 0; i < a.Count; i++) b[i].Should().Equal(a[i]);
        var c = Indices(4);
        (c.Count != a.Count || c.Zip(a).Any(p => !p.First.SequenceEqual(p.Second))).Should().BeTrue("another trainer seed echoes and shuffles differently");
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new DataEchoingOptions().Validate();
        var act = () => new DataEchoingAlgorithm(new DataEchoingOptions { EchoFactor = 0.5, Mode = (DataEchoingMode)7, ShuffleBufferBatches = 0 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "DataEchoingOptions is invalid: Property EchoFactor: 0.5 is invalid; expected a value in [1, 64]. " +
            "Property Mode: 7 is invalid; expected Batch or Example. " +
            "Property ShuffleBufferBatches: 0 is invalid; expected an integer in [1, 4096].");
    }

    [Fact]
    public void BadPlanArgumentsAreClearErrors()
    {
        var act = () => DataEchoing.Plan(new[] { 2, 2 }, new[] { 2 }, DataEchoingMode.Batch);
        act.Should().Throw<ArgumentException>().WithMessage("There are 1 echo counts for 2 fresh batches; expected one count per fresh batch.*");
        using var wrong = tensor(new long[] { 0, 1, 1, 3 });
        var perm = () => DataEchoing.Plan(new[] { 2 }, new[] { 2 }, DataEchoingMode.Example, 1, new[] { wrong });
        perm.Should().Throw<ArgumentException>().WithMessage("A buffer permutation must hold each of 0..3 exactly once (found 1 out of range or repeated).*");
        var factor = () => DataEchoing.EchoCounts(3, 0.5);
        factor.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The echo factor must be in [1, 64].*");
    }
}
