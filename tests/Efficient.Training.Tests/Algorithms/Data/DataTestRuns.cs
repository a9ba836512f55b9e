using System.Collections.Generic;
using TorchSharp.Modules;

namespace Efficient.Training.Tests.Algorithms.Data;

/// <summary>Small models, data and a batch recorder for the data-technique tests.</summary>
internal static class DataTestRuns
{
    /// <summary>Records, at each BatchStart, a copy of the batch the model trains on.</summary>
    public sealed class BatchRecorder : ITrainingCallback
    {
        public List<(Tensor input, Tensor target)> Batches { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent != TrainingEvent.BatchStart || state.Batch is null) return;
            Batches.Add((state.Batch.Input.detach().clone().DetachFromDisposeScope(), state.Batch.Target.detach().clone().DetachFromDisposeScope()));
        }
    }

    /// <summary>Images of any size: mean over H, W then a linear classifier.</summary>
    public sealed class PoolNet : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc;

        public PoolNet(int channels = 3, int classes = 3) : base(nameof(PoolNet))
        {
            fc = nn.Linear(channels, classes);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => fc.call(input.mean(new long[] { 2, 3 }));
    }

    /// <summary>A token model: embedding then a linear layer back to the vocabulary ([B, S] to [B, S, V]).</summary>
    public sealed class TokenNet : nn.Module<Tensor, Tensor>
    {
        private readonly Embedding emb;
        private readonly Linear fc;

        public TokenNet(int vocab = 11, int dims = 8) : base(nameof(TokenNet))
        {
            emb = nn.Embedding(vocab, dims);
            fc = nn.Linear(dims, vocab);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => fc.call(emb.call(input));
    }

    /// <summary>Positive images [n, 3, size, size] (so a zeroed pixel is a hole) and 3-class labels.</summary>
    public static (Tensor x, Tensor y) Images(int n, int size, long seed = 0)
    {
        using var g = new Generator((ulong)seed);
        var x = rand(new long[] { n, 3, size, size }, generator: g) + 1;
        var y = randint(0, 3, new long[] { n }, generator: g);
        return (x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }

    /// <summary>Trains <paramref name="model"/> with <paramref name="algorithm"/> for <paramref name="max"/> and returns the batches it trained on.</summary>
    public static List<(Tensor input, Tensor target)> Run(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, IAlgorithm algorithm, int batchSize, string max = "2ba", long seed = 7, int microbatches = 1, Func<Tensor, long>? tokensOf = null)
    {
        var recorder = new BatchRecorder();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.01),
            TrainData = new TensorTrainingData(x, y, batchSize, shuffle: false, tokensOf: tokensOf),
            MaxDuration = Duration.Parse(max),
            Seed = seed,
            Microbatches = microbatches,
        };
        options.Algorithms.Add(algorithm);
        options.Callbacks.Add(recorder);
        new Trainer(options).Fit();
        return recorder.Batches;
    }

    /// <summary>The PyTorch reference values written by Reference/generate_techniques_data.py.</summary>
    public static System.Text.Json.JsonElement Reference(string name)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_data.json");
        using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(path));
        return doc.RootElement.GetProperty(name).Clone();
    }

    public static double[] Doubles(System.Text.Json.JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static long[] Shape(System.Text.Json.JsonElement e) => e.EnumerateArray().Select(v => v.GetInt64()).ToArray();

    /// <summary>The script's deterministic input: sin(scale * i) over a flat arange, reshaped.</summary>
    public static Tensor Formula(long[] shape, double scale = 0.37)
        => (arange(shape.Aggregate(1L, (a, b) => a * b), dtype: ScalarType.Float32) * scale).sin().reshape(shape);

    public static float[] Floats(Tensor t) => t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    public static long[] Longs(Tensor t) => t.to_type(ScalarType.Int64).contiguous().data<long>().ToArray();

    /// <summary>
    /// Options training <paramref name="model"/> on (x, y) in shuffled batches of 8 (seed 3) with SGD (learning rate 0.1,
    /// momentum 0.9) for <paramref name="max"/>, trainer seed 7, with the given algorithms.
    /// </summary>
    public static TrainerOptions SgdMlpRun(Core.TestModels.Mlp model, Tensor x, Tensor y, string max, params IAlgorithm[] algorithms)
    {
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9),
            TrainData = new TensorTrainingData(x, y, 8, shuffle: true, seed: 3),
            MaxDuration = Duration.Parse(max),
            Seed = 7,
        };
        foreach (var a in algorithms) options.Algorithms.Add(a);
        return options;
    }

    /// <summary>The initial weights of an <see cref="Core.TestModels.Mlp"/> created after <c>manual_seed(11)</c> (detached copies).</summary>
    public static Dictionary<string, Tensor> InitialMlpWeights()
    {
        manual_seed(11);
        using var m = new Core.TestModels.Mlp();
        return m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
    }
}
