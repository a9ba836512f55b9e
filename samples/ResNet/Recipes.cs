using System;
using System.Collections.Generic;
using Efficient.Torch;
using Efficient.Torch.Modules;
using Efficient.Training;
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
    public static readonly IReadOnlyList<string> Names = new[] { "baseline" };

    /// <summary>
    /// Creates a recipe. <c>baseline</c>: SGD (lr 0.1, momentum 0.9, Nesterov, weight decay 5e-4)
    /// with a cosine schedule over the (scaled) run, stepped per batch.
    /// </summary>
    public static Recipe Create(string name) => name switch
    {
        "baseline" => new Recipe
        {
            Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9, weight_decay: 5e-4, nesterov: true),
            Schedulers = (opt, state) => new[] { optim.lr_scheduler.CosineAnnealingLR(opt, TotalBatches(state)) },
        },
        _ => throw new ArgumentException($"unknown recipe '{name}'; available: {string.Join(", ", Names)}", nameof(name)),
    };

    private static double TotalBatches(TrainingState state) => state.MaxDuration.Unit switch
    {
        TimeUnit.Epoch => state.MaxDuration.Value * (state.BatchesPerEpoch ?? 1),
        TimeUnit.Batch => state.MaxDuration.Value,
        TimeUnit.Sample => Math.Ceiling(state.MaxDuration.Value / Math.Max(1, (state.SamplesPerEpoch ?? 1) / (double)(state.BatchesPerEpoch ?? 1))),
        _ => throw new ArgumentException("The baseline recipe's schedule needs a duration in ep, ba or sp."),
    };
}
