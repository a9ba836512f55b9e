using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Efficient.Training.Algorithms;
using Efficient.Training.Datasets;
using static TorchSharp.torch;

namespace Efficient.Training.Bench;

/// <summary>
/// technique-overhead: each technique applied alone to the ResNet sample configuration (library
/// ResNet, Fashion-MNIST, batch 128, SGD with momentum) for warm-up + measured batches. Reports the
/// median step time next to the baseline's (measured in the same process, alternating rounds), the
/// technique's own time per batch from the trainer's algorithm trace (what the bottleneck profiler
/// lists as "algorithm: X"), and the growth of the step time beyond that own cost.
/// </summary>
internal static class TechniqueOverhead
{
    private static Dictionary<string, Func<IAlgorithm>> Techniques() => new()
    {
        ["CutOut"] = () => new CutOutAlgorithm(),
        ["ColOut"] = () => new ColOutAlgorithm(),
        ["ProgressiveResizing"] = () => new ProgressiveResizingAlgorithm(),
        ["SelectiveBackprop"] = () => new SelectiveBackpropAlgorithm(new SelectiveBackpropOptions { Start = 0, End = 1 }),
        ["RandAugment"] = () => new RandAugmentAlgorithm(),
        ["AugMix"] = () => new AugMixAlgorithm(),
        ["LabelSmoothing"] = () => new LabelSmoothingAlgorithm(new LabelSmoothingOptions { Smoothing = 0.1 }),
        ["KnowledgeDistillation"] = () => new KnowledgeDistillationAlgorithm(new KnowledgeDistillationOptions { Teacher = new Models.ResNet() }),
        ["MixUp"] = () => new MixUpAlgorithm(),
        ["CutMix"] = () => new CutMixAlgorithm(),
        ["GyroDropout"] = () => new GyroDropoutAlgorithm(),   // the benchmark ResNet has no Dropout: surgery cost only
        ["Curriculum"] = () => new CurriculumAlgorithm(),
        ["DataPruning"] = () => new DataPruningAlgorithm(),
        ["DataEchoing"] = () => new DataEchoingAlgorithm(),
        ["BatchSizeRampUp"] = () => new BatchSizeRampUpAlgorithm(),
        ["BlurPool"] = () => new BlurPoolAlgorithm(),
        ["SqueezeExcite"] = () => new SqueezeExciteAlgorithm(new SqueezeExciteOptions { MinChannels = 16 }),
        ["StochasticDepth"] = () => new StochasticDepthAlgorithm(),
        ["LayerFreezing"] = () => new LayerFreezingAlgorithm(),
        ["ChannelsLast"] = () => new ChannelsLastAlgorithm(),
        ["GhostBatchNorm"] = () => new GhostBatchNormAlgorithm(),
        ["Factorize"] = () => new FactorizeAlgorithm(),
        ["WeightStandardization"] = () => new WeightStandardizationAlgorithm(),
        ["MagnitudePruning"] = () => new MagnitudePruningAlgorithm(),
        ["RigL"] = () => new RigLAlgorithm(new RigLOptions { UpdateInterval = "10ba" }),   // updates inside the measured batches
        ["ModelGrowth"] = () => new ModelGrowthAlgorithm(),   // Net2WiderNet ×2 at 0.5dur: the later batches train the wider network
        ["QAT"] = () => new QuantizationAwareTrainingAlgorithm(),
        ["EMA"] = () => new EmaAlgorithm(),
        ["SWA"] = () => new SwaAlgorithm(),
        ["SAM"] = () => new SamAlgorithm(),
        ["GradientClipping"] = () => new GradientClippingAlgorithm(new GradientClippingOptions { ClippingThreshold = 1.0 }),
        ["Lookahead"] = () => new LookaheadAlgorithm(),
        ["LARC"] = () => new LarsAlgorithm(),
        ["LayerwiseLrDecay"] = () => new LayerwiseLrDecayAlgorithm(),
    };

    public static int Run(int warmup, int batches, int rounds, int threads, string[]? only)
    {
        var techniques = Techniques();
        if (only is not null)
        {
            var unknown = only.Where(o => !techniques.ContainsKey(o)).ToList();
            if (unknown.Count > 0) throw new ArgumentException($"unknown technique(s) {string.Join(", ", unknown)}; available: {string.Join(", ", techniques.Keys)}");
            techniques = techniques.Where(t => only.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value);
        }
        set_num_threads(threads);
        var (images, labels) = FashionMnist.Load(train: true, limit: (warmup + batches) * 128);
        var data = new TensorTrainingData(images, labels, 128, shuffle: true, seed: 1, dropLast: true);

        Measurement Measure(Func<IAlgorithm>? create)
        {
            manual_seed(0);
            using var model = new Models.ResNet();
            var algorithm = create?.Invoke();
            var timer = new StepTimer(warmup);
            var trainer = new Trainer(new TrainerOptions
            {
                Model = model,
                Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9),
                TrainData = data,
                MaxDuration = Duration.Batches(warmup + batches),
                Seed = 0,
                Algorithms = algorithm is null ? new List<IAlgorithm>() : new List<IAlgorithm> { algorithm },
                Callbacks = { timer },
            });
            trainer.Fit();
            var own = algorithm is null ? 0 : trainer.Trace.TimeOf(algorithm.Name).TotalMilliseconds / batches;
            (algorithm as IDisposable)?.Dispose();
            return new Measurement(timer.MedianMs, own);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"technique overhead: ResNet sample configuration, batch 128, {threads} thread(s), {warmup} warm-up + {batches} measured batches, {rounds} rounds (median)"));
        Console.WriteLine("| technique | step ms | baseline ms | ratio | own ms/batch | growth beyond own cost ms |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Measure(null);
        foreach (var (name, create) in techniques)
        {
            var baseline = new List<double>();
            var with = new List<double>();
            var own = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                baseline.Add(Measure(null).StepMs);
                var m = Measure(create);
                with.Add(m.StepMs);
                own.Add(m.OwnMs);
            }
            var (b, w, o) = (Median(baseline), Median(with), Median(own));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {w:0.0} | {b:0.0} | {w / b:0.00}× | {o:0.0} | {w - b - o:+0.0;-0.0;0.0} |"));
        }
        return 0;
    }

    private static double Median(List<double> values) => values.OrderBy(v => v).ElementAt(values.Count / 2);

    private sealed record Measurement(double StepMs, double OwnMs);

    /// <summary>Times each batch after the warm-up (from the previous batch end, so loading the batch counts) and clears the trace at the end of the warm-up.</summary>
    private sealed class StepTimer(int warmup) : ITrainingCallback
    {
        private readonly Stopwatch _watch = new();
        private readonly List<double> _ms = new();

        public double MedianMs => _ms.Count == 0 ? double.NaN : _ms.OrderBy(v => v).ElementAt(_ms.Count / 2);

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd)
            {
                if (state.Timestamp.Batch == warmup) state.Trace?.Clear();
                if (state.Timestamp.Batch > warmup) _ms.Add(_watch.Elapsed.TotalMilliseconds);
                _watch.Restart();
            }
            else if (trainingEvent == TrainingEvent.FitStart) _watch.Restart();
        }
    }
}
