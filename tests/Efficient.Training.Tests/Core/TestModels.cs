using System.Collections.Generic;
using TorchSharp.Modules;

namespace Efficient.Training.Tests.Core;

/// <summary>Small models and data for trainer tests.</summary>
internal static class TestModels
{
    public sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc1;
        private readonly nn.Module<Tensor, Tensor> fc2; // a base type, so model surgery can replace it
        private readonly double _dropout;

        public Mlp(int inputs = 8, int hidden = 16, int classes = 3, double dropout = 0) : base(nameof(Mlp))
        {
            fc1 = nn.Linear(inputs, hidden);
            fc2 = nn.Linear(hidden, classes);
            _dropout = dropout;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var h = fc1.call(input).relu();
            if (_dropout > 0) h = nn.functional.dropout(h, _dropout, training);
            return fc2.call(h);
        }
    }

    /// <summary>A learnable 3-class problem: the class is the argmax of a fixed linear map.</summary>
    public static (Tensor x, Tensor y) Data(int n = 96, int features = 8, long seed = 0)
    {
        using var g = new Generator((ulong)seed);
        var x = randn(new long[] { n, features }, generator: g);
        var w = randn(new long[] { features, 3 }, generator: g);
        var y = x.matmul(w).argmax(1);
        w.Dispose();
        return (x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }

    public static TrainerOptions Options(Mlp model, Tensor x, Tensor y, int batchSize = 16, string max = "2ep")
        => new()
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9),
            TrainData = new TensorTrainingData(x, y, batchSize, shuffle: true, seed: 3),
            EvalData = new TensorTrainingData(x, y, 32, shuffle: false),
            MaxDuration = Duration.Parse(max),
            Seed = 7,
        };

    public static Dictionary<string, float[]> Weights(nn.Module m) =>
        m.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());
}
