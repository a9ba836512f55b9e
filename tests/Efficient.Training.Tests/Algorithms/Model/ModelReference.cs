using System.IO;
using System.Text.Json;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>Reads Reference/techniques_model.json (written by generate_techniques_model.py with PyTorch 1.13).</summary>
internal static class ModelReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_model.json"))));

    public static JsonElement Section(string name) => Document.Value.RootElement.GetProperty(name);

    /// <summary>The tensor stored flat under <paramref name="name"/> with its shape under name_shape.</summary>
    public static Tensor T(this JsonElement e, string name) =>
        tensor(e.Floats(name), e.GetProperty(name + "_shape").EnumerateArray().Select(v => v.GetInt64()).ToArray());

    /// <summary>Copies <paramref name="value"/> into a parameter or buffer without recording gradients.</summary>
    public static void Set(Tensor target, Tensor value)
    {
        using (no_grad()) target.copy_(value);
    }
}

/// <summary>Small models with every layer kind the model techniques act on.</summary>
internal static class ModelNets
{
    /// <summary>
    /// conv1 (3→8, 3×3) → bn1 → relu → conv2 (8→8, 3×3) → gn (2 groups) → relu → spatial mean →
    /// fc1 (8→8) → ln → relu → fc2 (8→3). Fields are typed as modules so surgery can swap them.
    /// </summary>
    public sealed class ConvNet : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv1;
        private readonly nn.Module<Tensor, Tensor> bn1;
        private readonly nn.Module<Tensor, Tensor> conv2;
        private readonly nn.Module<Tensor, Tensor> gn;
        private readonly nn.Module<Tensor, Tensor> fc1;
        private readonly nn.Module<Tensor, Tensor> ln;
        private readonly nn.Module<Tensor, Tensor> fc2;

        public ConvNet() : base(nameof(ConvNet))
        {
            conv1 = nn.Conv2d(3, 8, 3, padding: 1);
            bn1 = nn.BatchNorm2d(8);
            conv2 = nn.Conv2d(8, 8, 3, padding: 1);
            var groupNorm = nn.GroupNorm(2, 8);
            // TorchSharp 0.107's GroupNorm leaves its affine parameters uninitialized (torch.empty);
            // PyTorch starts them at ones and zeros (docs/engine.md).
            using (no_grad())
            {
                groupNorm.weight.fill_(1);
                groupNorm.bias!.fill_(0);
            }
            gn = groupNorm;
            fc1 = nn.Linear(8, 8);
            ln = nn.LayerNorm(8);
            fc2 = nn.Linear(8, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var h = bn1.call(conv1.call(input)).relu();
            h = gn.call(conv2.call(h)).relu().mean(new long[] { 2, 3 });
            return fc2.call(ln.call(fc1.call(h)).relu()).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Image batches [n, 3, 4, 4] with 3 classes, from a fixed generator.</summary>
    public static (Tensor x, Tensor y) Images(int n, long seed = 5)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(unchecked((ulong)seed));
        var x = randn(new long[] { n, 3, 4, 4 }, generator: g);
        var y = randint(0, 3, new long[] { n }, generator: g);
        return (x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }

    /// <summary>
    /// Options training <paramref name="model"/> for two unshuffled batches of 8 of <see cref="Images"/>(16) with plain SGD
    /// (learning rate 0.05) and the given algorithms: the smallest run that applies a model technique inside the Trainer.
    /// </summary>
    public static TrainerOptions TwoBatches(nn.Module<Tensor, Tensor> model, params IAlgorithm[] algorithms)
    {
        var (x, y) = Images(16);
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.05),
            TrainData = new TensorTrainingData(x, y, 8, shuffle: false),
            MaxDuration = Duration.Parse("2ba"),
        };
        foreach (var algorithm in algorithms) options.Algorithms.Add(algorithm);
        return options;
    }
}
