using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Torch;
using Efficient.Torch.Modules;
using Efficient.Training;
using Efficient.Training.Algorithms;
using static Efficient.Torch.torch;

namespace ResNetSample;

/// <summary>A training recipe: optimizer, schedule, scale-schedule ratio and algorithms.</summary>
public sealed class Recipe
{
    /// <summary>Builds the optimizer.</summary>
    public required Func<IEnumerable<Parameter>, optim.Optimizer> Optimizer { get; init; }
    /// <summary>Builds the schedulers.</summary>
    public required Func<optim.Optimizer, TrainingState, IEnumerable<optim.lr_scheduler.LRScheduler>> Schedulers { get; init; }
    /// <summary>Scale-schedule ratio.</summary>
    public double ScaleScheduleRatio { get; init; } = 1.0;
    /// <summary>Algorithms, in hook order.</summary>
    public IList<IAlgorithm> Algorithms { get; init; } = new List<IAlgorithm>();
}

/// <summary>The recipes the sample offers.</summary>
public static class Recipes
{
    /// <summary>Available recipe names.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "baseline", "mild", "medium", "hot" };

    /// <summary>
    /// Creates a recipe, in the spirit of Composer's mild/medium/hot ResNet recipes but chosen for a
    /// CPU, where techniques that add convolutions (BlurPool) or passes (SAM) cost more than on a GPU.
    /// All use SGD (lr 0.1, momentum 0.9, Nesterov, weight decay 5e-4) with a cosine schedule over the
    /// (scaled) run, stepped per batch.
    /// <c>baseline</c>: nothing else (tuned as described in docs/benchmarks.md).
    /// <c>mild</c>: progressive resizing (from half size, Composer defaults), channels-last, label
    /// smoothing 0.1 and EMA of the weights (half-life 10 batches), with a scale-schedule ratio of 0.5.
    /// <c>medium</c>: mild plus BlurPool and MixUp (α 0.2), ratio 0.6.
    /// <c>hot</c>: medium plus SAM (ρ 0.05 every 10 steps), ColOut and block-wise stochastic depth
    /// (drop rate 0.1), ratio 0.7.
    /// </summary>
    public static Recipe Create(string name) => name switch
    {
        "baseline" => new Recipe { Optimizer = Sgd, Schedulers = Cosine },
        "mild" => new Recipe { Optimizer = Sgd, Schedulers = Cosine, ScaleScheduleRatio = 0.5, Algorithms = Mild() },
        "medium" => new Recipe { Optimizer = Sgd, Schedulers = Cosine, ScaleScheduleRatio = 0.6, Algorithms = Medium() },
        "hot" => new Recipe
        {
            Optimizer = Sgd,
            Schedulers = Cosine,
            ScaleScheduleRatio = 0.7,
            Algorithms = Medium().Concat(new IAlgorithm[]
            {
                new SamAlgorithm(new SamOptions { Rho = 0.05, Interval = 10 }),
                new ColOutAlgorithm(new ColOutOptions()),
                new StochasticDepthAlgorithm(new StochasticDepthOptions { DropRate = 0.1 }),
            }).ToList(),
        },
        _ => throw new ArgumentException($"unknown recipe '{name}'; available: {string.Join(", ", Names)}", nameof(name)),
    };

    private static List<IAlgorithm> Mild() => new()
    {
        new ChannelsLastAlgorithm(new ChannelsLastOptions()),
        new ProgressiveResizingAlgorithm(new ProgressiveResizingOptions()),
        new LabelSmoothingAlgorithm(new LabelSmoothingOptions { Smoothing = 0.1 }),
        new EmaAlgorithm(new EmaOptions { HalfLife = Duration.Batches(10) }),
    };

    // BlurPool is model surgery: it goes first so the later blocks see the final model.
    private static List<IAlgorithm> Medium() => new IAlgorithm[] { new BlurPoolAlgorithm(new BlurPoolOptions()) }
        .Concat(Mild())
        .Append(new MixUpAlgorithm(new MixUpOptions { Alpha = 0.2 }))
        .ToList();

    private static optim.Optimizer Sgd(IEnumerable<Parameter> parameters) =>
        optim.SGD(parameters, learningRate: 0.1, momentum: 0.9, weight_decay: 5e-4, nesterov: true);

    private static IEnumerable<optim.lr_scheduler.LRScheduler> Cosine(optim.Optimizer optimizer, TrainingState state) =>
        new[] { optim.lr_scheduler.CosineAnnealingLR(optimizer, TotalBatches(state)) };

    private static double TotalBatches(TrainingState state) => state.MaxDuration.Unit switch
    {
        TimeUnit.Epoch => state.MaxDuration.Value * (state.BatchesPerEpoch ?? 1),
        TimeUnit.Batch => state.MaxDuration.Value,
        TimeUnit.Sample => Math.Ceiling(state.MaxDuration.Value / Math.Max(1, (state.SamplesPerEpoch ?? 1) / (double)(state.BatchesPerEpoch ?? 1))),
        _ => throw new ArgumentException("The baseline recipe's schedule needs a duration in ep, ba or sp."),
    };
}
