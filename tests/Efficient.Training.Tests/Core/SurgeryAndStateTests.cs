using System.IO;
using System.Threading;
using TorchSharp.Modules;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

public sealed class SurgeryAndStateTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "et-surg-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Wraps fc2 with a learnable output scale (new parameter, new state_dict key).</summary>
    private sealed class Scaled : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;
        private readonly Parameter scale;

        public Scaled(nn.Module<Tensor, Tensor> inner) : base(nameof(Scaled))
        {
            this.inner = inner;
            scale = new Parameter(ones(1));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => inner.call(x) * scale;
    }

    private sealed class ScaleHead : IModelAlgorithm, IStatefulAlgorithm, ITrainingCallback
    {
        public string Name => "ScaleHead";
        public int Applied { get; private set; }
        public long Steps { get; private set; }
        public Tensor? Running { get; private set; }

        public void Apply(nn.Module model, ModelSurgery surgery)
        {
            Applied++;
            var old = (nn.Module<Tensor, Tensor>)model.named_children().Single(c => c.name == "fc2").module;
            surgery.Replace("fc2", new Scaled(old));
            surgery.Note("wrapped fc2 with a learnable scale");
        }

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent != TrainingEvent.BatchEnd) return;
            Steps++;
            using var l = tensor(state.LastBatchLoss ?? 0);
            var next = Running is null ? l.clone() : Running * 0.9 + l * 0.1;
            Running?.Dispose();
            Running = next.DetachFromDisposeScope();
        }

        public AlgorithmState SaveState()
        {
            var s = new AlgorithmState();
            s.Values["steps"] = Steps;
            if (Running is not null) s.Tensors["running"] = Running;
            return s;
        }

        public void LoadState(AlgorithmState state)
        {
            Steps = (long)state.Values["steps"];
            Running = state.Tensors["running"];
        }
    }

    private sealed class CancelAt : ITrainingCallback
    {
        private readonly CancellationTokenSource _cts;
        public CancelAt(CancellationTokenSource cts) => _cts = cts;
        public void OnEvent(TrainingEvent e, TrainingState s)
        {
            if (e == TrainingEvent.BatchEnd && s.Timestamp.Batch == 3) _cts.Cancel();
        }
    }

    [Fact]
    public void SurgeryIsReportedAndRedoneOnResumeAndAlgorithmStateRoundTrips()
    {
        var (x, y) = Data(n: 64);
        TrainerOptions Make(Mlp m, ScaleHead a)
        {
            var o = Options(m, x, y, batchSize: 16, max: "2ep");
            o.Algorithms.Add(a);
            o.Checkpoint = new CheckpointOptions { Folder = _dir, Interval = Duration.Parse("1ba") };
            return o;
        }

        using var first = new Mlp();
        var a1 = new ScaleHead();
        using var cts = new CancellationTokenSource();
        var o1 = Make(first, a1);
        o1.Callbacks.Add(new CancelAt(cts));
        var t1 = new Trainer(o1);
        var r1 = t1.Fit(cts.Token);
        r1.SurgeryReport.Should().Equal("ScaleHead: wrapped fc2 with a learnable scale");
        first.named_parameters().Select(p => p.name).Should().Contain("fc2.scale").And.Contain("fc2.inner.weight");
        a1.Steps.Should().Be(3);
        var running = a1.Running!.item<double>();

        using var second = new Mlp();
        var a2 = new ScaleHead();
        var t2 = new Trainer(Make(second, a2));
        var r2 = t2.Fit();
        a2.Applied.Should().Be(1, "surgery is redone before the checkpointed weights are loaded");
        r2.Timestamp.Batch.Should().Be(8);
        a2.Steps.Should().Be(8, "3 restored from the checkpoint + 5 trained after resume");
        second.named_parameters().Select(p => p.name).Should().Contain("fc2.scale");
        running.Should().NotBe(0);
    }
}
