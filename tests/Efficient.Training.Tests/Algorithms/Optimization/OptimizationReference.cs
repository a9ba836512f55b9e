using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using TorchSharp.Modules;

namespace Efficient.Training.Tests.Algorithms.Optimization;

/// <summary>
/// Reads Reference/optimization.json (written by generate_optimization.py with PyTorch 1.13) and
/// rebuilds its model, data and training set-up.
/// </summary>
internal static class OptimizationReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "optimization.json"))));

    public static JsonElement Section(string name) => Document.Value.RootElement.GetProperty(name);

    /// <summary>The script's model: Linear(4, 6) -> BatchNorm1d(6) -> ReLU -> Linear(6, 3), with its fixed initial weights.</summary>
    public sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc1;
        private readonly BatchNorm1d bn;
        private readonly Linear fc2;

        public Net() : base(nameof(Net))
        {
            fc1 = nn.Linear(4, 6);
            bn = nn.BatchNorm1d(6);
            fc2 = nn.Linear(6, 3);
            RegisterComponents();
            Load(this, Section("initial"));
        }

        public override Tensor forward(Tensor input) => fc2.call(nn.functional.relu(bn.call(fc1.call(input))));
    }

    /// <summary>Copies a {name: flat values} object into the model's parameters and buffers.</summary>
    public static void Load(nn.Module model, JsonElement values)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var (name, t) in model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(model.named_buffers()))
        {
            var flat = values.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            t.copy_(tensor(flat.Select(v => (float)v).ToArray(), t.shape).to_type(t.dtype));
        }
    }

    /// <summary>The inputs [12, 4] and targets [12].</summary>
    public static (Tensor x, Tensor y) RefData()
    {
        var d = Section("data");
        var x = tensor(d.GetProperty("x").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(), new long[] { 12, 4 });
        var y = tensor(d.GetProperty("y").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        return (x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }

    /// <summary>Batch <paramref name="i"/> (mod 3) of 4 samples, in order.</summary>
    public static (Tensor x, Tensor y) RefBatch(Tensor x, Tensor y, int i)
    {
        var start = (i % 3) * 4;
        return (x.narrow(0, start, 4), y.narrow(0, start, 4));
    }

    public static optim.Optimizer Sgd(IEnumerable<Parameter> parameters) => optim.SGD(parameters, learningRate: 0.1, momentum: 0.9);

    /// <summary>Parameters and buffers by name, as floats.</summary>
    public static Dictionary<string, float[]> StateOf(nn.Module model) =>
        model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(model.named_buffers())
            .ToDictionary(p => p.Item1, p => p.Item2.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray());

    /// <summary>A snapshot of shadow weights as floats.</summary>
    public static Dictionary<string, float[]> Snapshot(Efficient.Training.Algorithms.ShadowWeights shadow) =>
        shadow.Names.ToDictionary(n => n, n => shadow[n].detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray());

    /// <summary>Asserts every named tensor of <paramref name="expected"/> is present and within |a − e| ≤ atol + rtol·|e|.</summary>
    public static void ShouldMatch(this Dictionary<string, float[]> actual, JsonElement expected, string what, double atol = 1e-5, double rtol = 1e-5)
    {
        foreach (var property in expected.EnumerateObject())
        {
            actual.Should().ContainKey(property.Name, what);
            var e = property.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var a = actual[property.Name];
            a.Length.Should().Be(e.Length, $"{what}: {property.Name}");
            for (var i = 0; i < e.Length; i++)
                Math.Abs(a[i] - e[i]).Should().BeLessThanOrEqualTo(atol + rtol * Math.Abs(e[i]), $"{what}: {property.Name}[{i}] is {a[i]}, PyTorch {e[i]}");
        }
    }

    /// <summary>Records, after the algorithms under test (register it last), state at one event.</summary>
    public sealed class Recorder : IAlgorithm, ITrainingCallback
    {
        private readonly TrainingEvent _event;
        private readonly Action<TrainingState> _record;

        public Recorder(TrainingEvent trainingEvent, Action<TrainingState> record) => (_event, _record) = (trainingEvent, record);

        public string Name => $"Recorder.{_event}";

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == _event) _record(state);
        }
    }

    /// <summary>Trainer options over the script's data: batches of 4 in order, SGD(0.1, momentum 0.9).</summary>
    public static TrainerOptions Options(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, string max) => new()
    {
        Model = model,
        Optimizer = Sgd,
        TrainData = new TensorTrainingData(x, y, 4, shuffle: false),
        MaxDuration = Duration.Parse(max),
        Seed = 5,
    };
}
