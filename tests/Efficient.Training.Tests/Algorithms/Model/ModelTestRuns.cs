using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Efficient.Training.Models;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>Reference values (Reference/techniques_model_cnn.json) and small CNNs for the model-block tests.</summary>
internal static class ModelTestRuns
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_model_cnn.json"))));

    public static JsonElement Reference(string name) => Document.Value.RootElement.GetProperty(name);

    /// <summary>A tiny CNN: a stride-2 conv (16 → 16 channels), a max-pool, a stride-1 conv, a linear head.</summary>
    public sealed class StridedNet : nn.Module<Tensor, Tensor>
    {
        private nn.Module<Tensor, Tensor> conv1;
        private nn.Module<Tensor, Tensor> down;
        private nn.Module<Tensor, Tensor> pool;
        private nn.Module<Tensor, Tensor> conv2;
        private nn.Module<Tensor, Tensor> head;

        public StridedNet(long channels = 16) : base(nameof(StridedNet))
        {
            conv1 = nn.Conv2d(3, channels, 3, padding: 1);
            down = nn.Conv2d(channels, channels, 3, stride: 2, padding: 1);
            pool = nn.MaxPool2d(2);
            conv2 = nn.Conv2d(channels, channels, 3, padding: 1);
            head = nn.Linear(channels, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var h = conv1.call(input).relu();
            h = pool.call(down.call(h).relu());
            h = conv2.call(h).relu();
            return head.call(h.mean(new long[] { 2, 3 }));
        }
    }

    public static string[] ModuleNames(nn.Module m) => m.named_modules().Select(x => $"{x.name}:{x.module.GetType().Name}").ToArray();

    public static Dictionary<string, float[]> Weights(nn.Module m) =>
        m.named_parameters().ToDictionary(p => p.name, p => p.parameter.contiguous().data<float>().ToArray());

    /// <summary>Images [n, 3, size, size] and 3-class labels from a seeded generator.</summary>
    public static (Tensor x, Tensor y) Images(int n, int size, ulong seed = 0)
    {
        using var g = new Generator(seed);
        var x = randn(new long[] { n, 3, size, size }, generator: g);
        var y = randint(0, 3, new long[] { n }, generator: g);
        return (x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }

    public static TrainerOptions Options(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, string max = "4ba", int batchSize = 4) => new()
    {
        Model = model,
        Optimizer = p => optim.SGD(p, learningRate: 0.05, momentum: 0.9),
        TrainData = new TensorTrainingData(x, y, batchSize, shuffle: true, seed: 3),
        MaxDuration = Duration.Parse(max),
        Seed = 7,
    };

    public static ResNet SmallResNet(long width = 16) => new(inChannels: 3, classes: 3, blocksPerStage: 1, width: width);
}
