using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

public sealed class CallbackTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "et-cb-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void MetricsLoggerWritesJsonLinesAndCsv()
    {
        var (x, y) = Data(n: 32);
        using var model = new Mlp();
        var jsonl = Path.Combine(_dir, "m.jsonl");
        var csv = Path.Combine(_dir, "m.csv");
        using (var a = new MetricsLogger(jsonl))
        using (var b = new MetricsLogger(csv, everyBatches: 2))
        {
            var options = Options(model, x, y, batchSize: 8, max: "1ep");
            options.Callbacks.Add(a);
            options.Callbacks.Add(b);
            new Trainer(options).Fit();
        }
        var lines = File.ReadAllLines(jsonl);
        lines.Should().HaveCount(5); // 4 batches + 1 evaluation
        using (var first = JsonDocument.Parse(lines[0]))
        {
            first.RootElement.GetProperty("kind").GetString().Should().Be("train");
            first.RootElement.GetProperty("batch").GetInt64().Should().Be(1);
            first.RootElement.GetProperty("loss").GetDouble().Should().BeGreaterThan(0);
            first.RootElement.GetProperty("lr").GetDouble().Should().Be(0.1);
        }
        using (var last = JsonDocument.Parse(lines[^1]))
            last.RootElement.GetProperty("accuracy").GetDouble().Should().BeInRange(0, 1);
        var csvLines = File.ReadAllLines(csv);
        csvLines[0].Should().Be("kind,epoch,batch,sample,wall_seconds,name,value");
        csvLines.Count(l => l.StartsWith("train,", StringComparison.Ordinal)).Should().Be(4); // batches 2 and 4, loss and lr each
        csvLines.Should().Contain(l => l.StartsWith("eval,1,4,32,", StringComparison.Ordinal) && l.Contains(",accuracy,"));
    }

    private sealed class Slow : IDataAlgorithm
    {
        public string Name => "SlowAugment";
        public Batch Transform(Batch batch, TrainingState state)
        {
            System.Threading.Thread.Sleep(200);   // well above the first batches' one-off costs (libtorch warm-up) on a loaded machine
            return batch;
        }
    }

    [Fact]
    public void BottleneckProfilerNamesTheDominantPhaseAndSuggestsAMitigation()
    {
        var (x, y) = Data(n: 32);
        using var model = new Mlp();
        var profiler = new BottleneckProfiler();
        var options = Options(model, x, y, batchSize: 8, max: "1ep");
        options.Algorithms.Add(new Slow());
        options.Callbacks.Add(profiler);
        new Trainer(options).Fit();
        profiler.Batches.Should().Be(4);
        profiler.Bottleneck.Should().Be("algorithm: SlowAugment");
        profiler.Seconds["algorithm: SlowAugment"].Should().BeGreaterThan(0.1);
        profiler.Seconds.Keys.Should().Contain(new[] { "data wait", "forward", "loss", "backward", "optimizer step" });
        profiler.Report().Should().Contain("Bottleneck: algorithm: SlowAugment. SlowAugment costs the most: apply it less often");
    }

    private sealed class SlowData(ITrainingData inner) : ITrainingData
    {
        public long? BatchesPerEpoch => inner.BatchesPerEpoch;
        public long? SamplesPerEpoch => inner.SamplesPerEpoch;

        public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0)
        {
            foreach (var b in inner.GetEpoch(epoch, skipBatches))
            {
                System.Threading.Thread.Sleep(200);   // a slow input pipeline (reading, decoding)
                yield return b;
            }
        }
    }

    [Fact]
    public void BottleneckProfilerSuggestsDataEchoingWhenTheModelWaitsForData()
    {
        var (x, y) = Data(n: 32);
        using var model = new Mlp();
        var profiler = new BottleneckProfiler();
        var options = Options(model, x, y, batchSize: 8, max: "1ep");
        options.TrainData = new SlowData(new TensorTrainingData(x, y, 8));
        options.Callbacks.Add(profiler);
        new Trainer(options).Fit();
        profiler.Bottleneck.Should().Be("data wait");
        profiler.Seconds["data wait"].Should().BeGreaterThan(0.5); // four waits of 200 ms, from fit start to each batch
        profiler.Report().Should().Contain("Bottleneck: data wait. The model waits for data: ")
            .And.Contain("or reuse each loaded batch with DataEchoing (data echoing, Choi et al. 2019; augment after echoing).");
        BottleneckProfiler.Suggest("data wait").Should().Be(
            "The model waits for data: prefetch on more DataLoader workers, cache decoded samples, move augmentation to batched tensor ops, " +
            "or reuse each loaded batch with DataEchoing (data echoing, Choi et al. 2019; augment after echoing).");
    }

    [Fact]
    public void EarlyStoppingStopsWhenTheMetricStalls()
    {
        var (x, y) = Data(n: 32);
        using var model = new Mlp();
        var options = Options(model, x, y, batchSize: 8, max: "30ep");
        options.Optimizer = p => optim.SGD(p, learningRate: 0.0); // nothing improves
        options.Callbacks.Add(new EarlyStopping("loss", patience: 2));
        var result = new Trainer(options).Fit();
        result.StopReason.Should().StartWith("early stopping: loss did not improve on");
        result.Timestamp.Epoch.Should().Be(3);
    }

    [Fact]
    public void ThresholdStopperRecordsTimeToTarget()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var stopper = new ThresholdStopper("accuracy", 0.6);
        var options = Options(model, x, y, batchSize: 16, max: "40ep");
        options.Callbacks.Add(stopper);
        var result = new Trainer(options).Fit();
        stopper.TimeToTarget.Should().NotBeNull();
        stopper.BatchAtTarget.Should().Be(result.Timestamp.Batch);
        result.StopReason.Should().StartWith("accuracy reached");
    }

    [Fact]
    public void ProgressBarAndSpeedMonitorReport()
    {
        var (x, y) = Data(n: 32);
        using var model = new Mlp();
        var output = new StringWriter();
        var speed = new SpeedMonitor(window: 2);
        var options = Options(model, x, y, batchSize: 8, max: "1ep");
        options.Callbacks.Add(new ProgressBar(output, TimeSpan.Zero));
        options.Callbacks.Add(speed);
        new Trainer(options).Fit();
        var text = output.ToString();
        text.Should().Contain("ep 1 ba 4 [########################] 100%").And.Contain("accuracy=");
        // Not a terminal: one line at the end of the epoch and one after the evaluation, none repeated.
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2, text).And.OnlyHaveUniqueItems();
        lines[1].Should().Contain("accuracy=");
        speed.SamplesPerSecond.Should().BeGreaterThan(0);
        var bad = () => new SpeedMonitor(0);
        bad.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().StartWith("SpeedMonitor: window must be at least 1 batch.");
    }
}
