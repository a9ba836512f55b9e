using System.Collections.Generic;
using TorchSharp.Modules;
using Efficient.Training.Tests.Core;

namespace Efficient.Training.Tests.Algorithms;

/// <summary>Two-batch training runs with and without an algorithm, for the adapter tests.</summary>
internal static class AlgorithmRuns
{
    /// <summary>An MLP over flattened 1x4x4 images (so CutMix has height and width).</summary>
    public sealed class ImageMlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc1;
        private readonly Linear fc2;

        public ImageMlp() : base(nameof(ImageMlp))
        {
            fc1 = nn.Linear(16, 16);
            fc2 = nn.Linear(16, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => fc2.call(fc1.call(input.reshape(input.shape[0], -1)).relu());
    }

    public sealed class LossRecorder : ITrainingCallback
    {
        public List<double> Losses { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd) Losses.Add(state.LastBatchLoss!.Value);
        }
    }

    public sealed record RunResult(List<double> Losses, Dictionary<string, float[]> Weights, Trainer Trainer);

    /// <summary>Trains for two batches of 16 samples (images [N, 1, 4, 4] or vectors [N, 16]).</summary>
    public static RunResult Run(IEnumerable<IAlgorithm> algorithms, long seed = 7, int microbatches = 1, Func<Tensor, Tensor, Tensor>? loss = null, string max = "2ba")
    {
        var (x, y) = TestModels.Data(n: 32, features: 16);
        var images = x.reshape(32, 1, 4, 4);
        manual_seed(1);
        using var model = new ImageMlp();
        var recorder = new LossRecorder();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9),
            TrainData = new TensorTrainingData(images, y, 16, shuffle: true, seed: 3),
            MaxDuration = Duration.Parse(max),
            Seed = seed,
            Microbatches = microbatches,
        };
        if (loss is not null) options.LossFunction = loss;
        options.Callbacks.Add(recorder);
        foreach (var a in algorithms) options.Algorithms.Add(a);
        var trainer = new Trainer(options);
        trainer.Fit();
        return new RunResult(recorder.Losses, TestModels.Weights(model), trainer);
    }

    public static RunResult Run(params IAlgorithm[] algorithms) => Run((IEnumerable<IAlgorithm>)algorithms);

    public static bool SameWeights(Dictionary<string, float[]> a, Dictionary<string, float[]> b) =>
        a.Keys.All(k => a[k].SequenceEqual(b[k]));

    /// <summary>A training state and microbatch context outside a trainer, for hook-level tests.</summary>
    public static MicrobatchContext Context(nn.Module<Tensor, Tensor> model, Batch batch, ulong seed = 3)
    {
        var optimizer = optim.SGD(model.parameters(), learningRate: 0.1);
        var state = new TrainingState(model, optimizer, Duration.Parse("1ep"), new Generator(seed), (long)seed) { IsTraining = true };
        return new MicrobatchContext(state, batch, 0, 1);
    }
}
