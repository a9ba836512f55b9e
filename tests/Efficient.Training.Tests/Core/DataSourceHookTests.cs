using System.Collections.Generic;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

public class DataSourceHookTests
{
    /// <summary>Serves the first <c>take</c> samples of the source it receives (from epoch <c>from</c> on) and logs its calls.</summary>
    private sealed class FirstSamples : IDataSourceAlgorithm
    {
        private readonly Tensor _x, _y;
        private readonly long _from;
        private readonly int _take;
        private readonly List<string> _log;

        public FirstSamples(string name, Tensor x, Tensor y, long from, int take, List<string> log) => (Name, _x, _y, _from, _take, _log) = (name, x, y, from, take, log);

        public string Name { get; }

        public ITrainingData Source(ITrainingData data, TrainingState state)
        {
            _log.Add($"{Name}@{state.Timestamp.Epoch}:{data.BatchesPerEpoch}");
            if (state.Timestamp.Epoch < _from) return data;
            return new TensorTrainingData(_x.narrow(0, 0, _take), _y.narrow(0, 0, _take), 8, shuffle: false);
        }
    }

    private sealed class Recorder : ITrainingCallback
    {
        public List<string> Log { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.EpochStart) Log.Add($"EpochStart@{state.Timestamp.Epoch}:{state.BatchesPerEpoch}/{state.SamplesPerEpoch}");
            if (trainingEvent == TrainingEvent.BeforeForward) Log.Add($"batch {state.Batch!.Size}, indices {(state.Batch.Indices is null ? "null" : "set")}");
        }
    }

    [Fact]
    public void SourcesAreConsultedAtEachEpochStartInRegistrationOrderAndTheEpochSizesFollow()
    {
        var (x, y) = Data(n: 32);
        using var model = new Mlp();
        var log = new List<string>();
        var recorder = new Recorder();
        var options = Options(model, x, y, batchSize: 8, max: "3ep");
        options.EvalData = null;
        options.Algorithms.Add(new FirstSamples("A", x, y, from: 1, take: 24, log));
        options.Algorithms.Add(new FirstSamples("B", x, y, from: 2, take: 16, log));
        options.Callbacks.Add(recorder);
        var trainer = new Trainer(options);
        var result = trainer.Fit();

        // Once at fit start (the schedulers are built with the epoch size the run trains on), then at each epoch start.
        log.Should().Equal("A@0:4", "B@0:4", "A@0:4", "B@0:4", "A@1:4", "B@1:3", "A@2:4", "B@2:3");
        recorder.Log.Where(l => l.StartsWith("EpochStart")).Should().Equal("EpochStart@0:4/32", "EpochStart@1:3/24", "EpochStart@2:2/16");
        result.Timestamp.Batch.Should().Be(4 + 3 + 2);
        trainer.DescribeLoop().Should().Contain("Data.Source (each epoch start): A -> B");
        trainer.Trace.Entries.Should().Contain(e => e.Algorithm == "A" && e.Stage == "Data.Source" && e.Calls == 4);
    }

    [Fact]
    public void BatchIndicesAreFilledAndKeptThroughMicrobatches()
    {
        var (x, y) = Data(n: 16);
        var data = new TensorTrainingData(x, y, 8, shuffle: true, seed: 5);
        var epoch = data.GetEpoch(1).ToList();
        var all = epoch.SelectMany(b => b.Indices!.data<long>().ToArray()).ToArray();
        all.OrderBy(i => i).Should().Equal(Enumerable.Range(0, 16).Select(i => (long)i));
        foreach (var b in epoch)
            b.Input.SameValues(x.index_select(0, b.Indices!)).Should().BeTrue("row r is sample Indices[r]");
        var parts = epoch[0].Split(3);
        parts.SelectMany(p => p.Indices!.data<long>().ToArray()).Should().Equal(epoch[0].Indices!.data<long>().ToArray());
        epoch[0].With(input: epoch[0].Input * 2).Indices.Should().BeSameAs(epoch[0].Indices);
        epoch[0].With(input: epoch[0].Input.narrow(0, 0, 2), target: epoch[0].Target.narrow(0, 0, 2)).Indices.Should().BeNull("the sample count changed");
        new Batch(x, y).Indices.Should().BeNull();
        var bad = () => new Batch(x, y, indices: zeros(3, dtype: ScalarType.Int64));
        bad.Should().Throw<ArgumentException>().WithMessage("The sample indices must be an int64 tensor of shape [16] (got Int64 [3])*");
    }

    [Fact]
    public void ASourceReturningNullIsAClearError()
    {
        var (x, y) = Data(n: 16);
        using var model = new Mlp();
        var options = Options(model, x, y, batchSize: 8, max: "1ep");
        options.Algorithms.Add(new NullSource());
        var act = () => new Trainer(options).Fit();
        act.Should().Throw<InvalidOperationException>().WithMessage("NullSource.Source returned null; return the input source to leave it unchanged.");
    }

    private sealed class NullSource : IDataSourceAlgorithm
    {
        public string Name => "NullSource";
        public ITrainingData Source(ITrainingData data, TrainingState state) => null!;
    }
}
