using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Efficient.Training;
using Efficient.Training.Algorithms;
using static TorchSharp.torch;

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
    /// Creates a recipe, in the spirit of Composer's mild/medium/hot ResNet recipes but chosen by
    /// measuring on a CPU, where techniques that add convolutions (BlurPool) or passes (SAM) cost more
    /// than on a GPU and techniques that shrink the work per step (channels-last, progressive resizing)
    /// pay most (docs/benchmarks.md). All use SGD (lr <see cref="LearningRate"/>, Nesterov momentum 0.9,
    /// weight decay 5e-4) with a cosine schedule over the (scaled) run, stepped per batch.
    /// <c>baseline</c>: nothing else (the learning rate tuned as described in docs/benchmarks.md).
    /// <c>mild</c>: channels-last, progressive resizing from half size (half the run at the smallest
    /// size, the last fifth at full size) and label smoothing 0.1, with a scale-schedule ratio of 0.5.
    /// <c>medium</c>: BlurPool, and mild's techniques but resizing from three quarters of the size,
    /// ratio 0.5: slower steps than mild, higher accuracy.
    /// <c>hot</c>: medium plus MixUp (α 0.2), SAM (ρ 0.05 every 10 steps) and block-wise stochastic
    /// depth (drop rate 0.1), ratio 0.7: regularization for long runs.
    /// <c>RECIPE-without-TECHNIQUE</c> (e.g. <c>mild-without-ChannelsLast</c>, <c>mild-without-ssr</c>):
    /// an ablation, the recipe with one technique or its scale-schedule ratio taken out (<see cref="Ablations"/>).
    /// <c>RECIPE-with-TECHNIQUE</c> (e.g. <c>mild-with-DataEchoing</c>): the recipe plus one technique
    /// with its default options, by its recipe-file name (<see cref="RecipeFile.AlgorithmNames"/>).
    /// </summary>
    public static Recipe Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var added = name.IndexOf(WithMarker, StringComparison.Ordinal);
        if (added >= 0)
        {
            // The recipe plus one technique, with its default options (by its recipe-file name), applied last.
            var basis = Create(name[..added]);
            var technique = name[(added + WithMarker.Length)..];
            if (!RecipeFile.AlgorithmNames.Contains(technique, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"unknown technique in '{name}': '{technique}'; available: {string.Join(", ", RecipeFile.AlgorithmNames)}", nameof(name));
            var algorithm = RecipeFile.Parse($"{{\"algorithms\": [{{\"name\": \"{technique}\"}}]}}", $"recipe '{name}'").CreateAlgorithms().Single();
            return new Recipe { Optimizer = basis.Optimizer, Schedulers = basis.Schedulers, ScaleScheduleRatio = basis.ScaleScheduleRatio, Algorithms = basis.Algorithms.Append(algorithm).ToList() };
        }
        var cut = name.IndexOf(WithoutMarker, StringComparison.Ordinal);
        if (cut < 0) return CreateNamed(name);
        // An ablation: the recipe with one technique (by its algorithm Name) or the ratio ("ssr") taken out.
        var recipe = CreateNamed(name[..cut]);
        var removed = name[(cut + WithoutMarker.Length)..];
        if (removed.Equals("ssr", StringComparison.OrdinalIgnoreCase))
            return new Recipe { Optimizer = recipe.Optimizer, Schedulers = recipe.Schedulers, Algorithms = recipe.Algorithms };
        var kept = recipe.Algorithms.Where(a => !a.Name.Equals(removed, StringComparison.OrdinalIgnoreCase)).ToList();
        if (kept.Count == recipe.Algorithms.Count)
            throw new ArgumentException($"unknown ablation '{name}': recipe '{name[..cut]}' has no technique '{removed}'; it has {string.Join(", ", recipe.Algorithms.Select(a => a.Name))} (or 'ssr', the scale-schedule ratio)", nameof(name));
        return new Recipe { Optimizer = recipe.Optimizer, Schedulers = recipe.Schedulers, ScaleScheduleRatio = recipe.ScaleScheduleRatio, Algorithms = kept };
    }

    /// <summary>What separates a recipe from a technique added to it with default options: <c>mild-with-DataEchoing</c>.</summary>
    public const string WithMarker = "-with-";

    /// <summary>What separates a recipe from the technique an ablation takes out of it: <c>mild-without-LabelSmoothing</c>.</summary>
    public const string WithoutMarker = "-without-";

    /// <summary>
    /// The ablations of <paramref name="name"/>: the recipe without each of its techniques (by
    /// algorithm name), and without its scale-schedule ratio when it has one (<c>-without-ssr</c>).
    /// </summary>
    public static IReadOnlyList<string> Ablations(string name)
    {
        var recipe = CreateNamed(name);
        var names = recipe.Algorithms.Select(a => name + WithoutMarker + a.Name).ToList();
        if (recipe.ScaleScheduleRatio != 1.0) names.Add(name + WithoutMarker + "ssr");
        return names;
    }

    private static Recipe CreateNamed(string name) => name switch
    {
        "baseline" => new Recipe { Optimizer = Sgd, Schedulers = Cosine },
        "mild" => new Recipe { Optimizer = Sgd, Schedulers = Cosine, ScaleScheduleRatio = 0.5, Algorithms = Resizing(0.5) },
        "medium" => new Recipe { Optimizer = Sgd, Schedulers = Cosine, ScaleScheduleRatio = 0.5, Algorithms = Medium() },
        "hot" => new Recipe
        {
            Optimizer = Sgd,
            Schedulers = Cosine,
            ScaleScheduleRatio = 0.7,
            Algorithms = Medium().Concat(new IAlgorithm[]
            {
                new MixUpAlgorithm(new MixUpOptions { Alpha = 0.2 }),
                new SamAlgorithm(new SamOptions { Rho = 0.05, Interval = 10 }),
                new StochasticDepthAlgorithm(new StochasticDepthOptions { DropRate = 0.1 }),
            }).ToList(),
        },
        _ => throw new ArgumentException($"unknown recipe '{name}'; available: {string.Join(", ", Names)} (and their ablations, e.g. mild{WithoutMarker}LabelSmoothing)", nameof(name)),
    };

    /// <summary>
    /// A recipe from a JSON file (<see cref="RecipeFile"/>; <c>samples/ResNet/recipes/*.json</c> are this
    /// class's recipes as files): its algorithms, ratio, optimizer and schedule; a file without an
    /// optimizer or schedule gets the sample's tuned SGD and cosine schedule.
    /// </summary>
    /// <exception cref="System.IO.InvalidDataException">The file is not a valid recipe (the message names the file and the problem).</exception>
    public static Recipe FromFile(string path)
    {
        var definition = RecipeFile.Load(path);
        return new Recipe
        {
            Optimizer = definition.CreateOptimizer() ?? Sgd,
            Schedulers = definition.CreateSchedulers() ?? Cosine,
            ScaleScheduleRatio = definition.ScaleScheduleRatio,
            Algorithms = definition.CreateAlgorithms().ToList(),
        };
    }

    /// <summary>The (tuned) SGD learning rate every recipe uses.</summary>
    public const double LearningRate = 0.2;

    // BlurPool is model surgery: it goes first so the later blocks see the final model.
    private static List<IAlgorithm> Medium() => new IAlgorithm[] { new BlurPoolAlgorithm(new BlurPoolOptions()) }.Concat(Resizing(0.75)).ToList();

    private static List<IAlgorithm> Resizing(double initialScale) => new()
    {
        new ChannelsLastAlgorithm(new ChannelsLastOptions()),
        // Bilinear, not Composer's nearest: the recipes were tuned and measured with it (docs/benchmarks.md).
        new ProgressiveResizingAlgorithm(new ProgressiveResizingOptions { InitialScale = initialScale, DelayFraction = 0.5, FinetuneFraction = 0.2, Interpolation = ResizeInterpolation.Bilinear }),
        new LabelSmoothingAlgorithm(new LabelSmoothingOptions { Smoothing = 0.1 }),
    };

    private static optim.Optimizer Sgd(IEnumerable<Parameter> parameters) =>
        optim.SGD(parameters, learningRate: LearningRate, momentum: 0.9, weight_decay: 5e-4, nesterov: true);

    private static IEnumerable<optim.lr_scheduler.LRScheduler> Cosine(optim.Optimizer optimizer, TrainingState state) =>
        new[] { optim.lr_scheduler.CosineAnnealingLR(optimizer, TotalBatches(state)) };

    private static double TotalBatches(TrainingState state) => Math.Ceiling(state.ToBatches(state.MaxDuration, "the recipes' cosine schedule: the maximum duration") - 1e-9);
}
