using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Efficient.Training;
using Efficient.Training.Algorithms;
using Efficient.Training.Optimizers;
using Efficient.Training.Schedulers;
using static TorchSharp.torch;

namespace BertSample;

/// <summary>A pre-training recipe: optimizer, schedule, scale-schedule ratio and algorithms.</summary>
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
    /// <summary>Changes a fresh encoder as the recipe's model surgery does, so weights the recipe saved load into it.</summary>
    public Action<nn.Module> PrepareForLoad { get; init; } = _ => { };
}

/// <summary>The pre-training recipes the sample offers.</summary>
public static class Recipes
{
    /// <summary>Available recipe names.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "baseline", "recipe" };

    /// <summary>
    /// Creates a recipe.
    /// <c>baseline</c>: AdamW (lr 1e-3, β (0.9, 0.98), ε 1e-6, weight decay 0.01, as RoBERTa/Composer's
    /// BERT baseline) with a linear warm-up over the first 6% of the run then linear decay to 0, stepped per batch.
    /// <c>recipe</c>: DecoupledAdamW (lr 2e-3, same betas, decoupled weight decay 1e-5) with the same
    /// warm-up/decay schedule, a scale-schedule ratio of <see cref="RecipeRatio"/>, and <see cref="RecipeAlgorithms"/>.
    /// </summary>
    public static Recipe Create(string name) => name switch
    {
        "baseline" => new Recipe { Optimizer = AdamW, Schedulers = WarmupLinear },
        "recipe" => new Recipe { Optimizer = Decoupled, Schedulers = WarmupLinear, ScaleScheduleRatio = RecipeRatio, Algorithms = RecipeAlgorithms(),
            PrepareForLoad = m =>
            {
                Alibi.Apply(m);
                GatedLinearUnits.Apply(m, new GatedLinearUnitsOptions());
            } },
        _ => throw new ArgumentException($"unknown recipe '{name}'; available: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>
    /// A recipe from a JSON file (<see cref="RecipeFile"/>; <c>samples/Bert/recipes/*.json</c> are this
    /// class's recipes as files). A file without an optimizer or schedule gets the baseline's; loading a
    /// saved encoder repeats the file's model surgery.
    /// </summary>
    /// <exception cref="System.IO.InvalidDataException">The file is not a valid recipe.</exception>
    public static Recipe FromFile(string path)
    {
        var definition = RecipeFile.Load(path);
        return new Recipe
        {
            Optimizer = definition.CreateOptimizer() ?? AdamW,
            Schedulers = definition.CreateSchedulers() ?? WarmupLinear,
            ScaleScheduleRatio = definition.ScaleScheduleRatio,
            Algorithms = definition.CreateAlgorithms().ToList(),
            PrepareForLoad = m =>
            {
                var surgery = new ModelSurgery(m);
                foreach (var algorithm in definition.CreateAlgorithms().OfType<IModelAlgorithm>()) algorithm.Apply(m, surgery);
            },
        };
    }

    /// <summary>The recipe's scale-schedule ratio.</summary>
    public const double RecipeRatio = 0.75;

    /// <summary>
    /// The recipe's algorithms, model surgery both: ALiBi (attention biases instead of learned position
    /// embeddings) training on sequences cut to half their length (evaluation and fine-tuning see the
    /// full length: ALiBi extrapolates, "train short, test long"), then GLU feed-forward blocks (Composer
    /// defaults). Chosen by measuring (docs/benchmarks.md): sequence-length warm-up alone saved less
    /// time than ALiBi's shorter sequences, EMA (half-life 50 batches) lagged behind in runs of a few
    /// hundred batches, and without GLU the loss was worse at equal time.
    /// </summary>
    public static List<IAlgorithm> RecipeAlgorithms() => new()
    {
        new AlibiAlgorithm(new AlibiOptions { TrainSequenceLengthScaling = 0.5, Truncate = true }),   // truncation, not Composer's reshape: cheaper steps, measured in docs/benchmarks.md
        new GatedLinearUnitsAlgorithm(new GatedLinearUnitsOptions()),
    };

    private static optim.Optimizer AdamW(IEnumerable<Parameter> parameters) =>
        optim.AdamW(parameters, lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-6, weight_decay: 0.01);

    // DecoupledAdamW's weight decay is not multiplied by the learning rate: 1e-5 ≈ AdamW's 0.01 × lr 1e-3.
    private static optim.Optimizer Decoupled(IEnumerable<Parameter> parameters) =>
        new DecoupledAdamW(parameters, lr: 2e-3, beta1: 0.9, beta2: 0.98, eps: 1e-6, weight_decay: 1e-5);

    private static IEnumerable<optim.lr_scheduler.LRScheduler> WarmupLinear(optim.Optimizer optimizer, TrainingState state) =>
        new[] { new LinearScheduler(alpha_i: 1.0, alpha_f: 0.0, t_warmup: Duration.Parse("0.06dur")).Attach(optimizer, state) };
}
