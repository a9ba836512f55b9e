using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Evaluation;

/// <summary>One training run of a study: which recipe, budget and seed.</summary>
/// <param name="Recipe">The recipe's name.</param>
/// <param name="Budget">The run's maximum duration.</param>
/// <param name="Seed">The run's seed.</param>
public sealed record StudyRunSpec(string Recipe, Duration Budget, long Seed);

/// <summary>
/// What a <see cref="Study"/> runs: every recipe × budget × seed, each a fresh Trainer built by
/// <see cref="CreateRun"/>, compared on one quality metric.
/// </summary>
public sealed class StudyOptions : IValidatableOptions
{
    /// <summary>The recipes to compare, baseline included. Required, at least one, distinct names.</summary>
    public IList<string> Recipes { get; set; } = new List<string>();

    /// <summary>The reference recipe speed-ups are measured against. Default <c>"baseline"</c>; must be in <see cref="Recipes"/>.</summary>
    public string Baseline { get; set; } = "baseline";

    /// <summary>The seeds each (recipe, budget) runs with. Default 0, 1, 2 (the literature asks for several).</summary>
    public IList<long> Seeds { get; set; } = new List<long> { 0, 1, 2 };

    /// <summary>
    /// The budgets (maximum durations) of each recipe. A recipe without an entry runs with
    /// <see cref="DefaultBudget"/>. Give the baseline several budgets to trace its accuracy-vs-time curve.
    /// </summary>
    public IDictionary<string, IList<Duration>> Budgets { get; set; } = new Dictionary<string, IList<Duration>>();

    /// <summary>The budget of a recipe that has none in <see cref="Budgets"/>. Default <c>1ep</c>.</summary>
    public Duration DefaultBudget { get; set; } = Duration.Epochs(1);

    /// <summary>The metric compared (a name the runs' evaluation reports). Default <c>"accuracy"</c>.</summary>
    public string Metric { get; set; } = "accuracy";

    /// <summary>Whether a higher metric is better (accuracy) or lower (loss, perplexity). Default true.</summary>
    public bool HigherIsBetter { get; set; } = true;

    /// <summary>
    /// The quality each run's time-to-target is measured at. Default (null): the baseline's mean final
    /// metric at its longest budget (the one that trained the most batches), as in the efficient-training literature.
    /// </summary>
    public double? Target { get; set; }

    /// <summary>
    /// Builds the Trainer options of one run (model, data with an evaluation set, optimizer,
    /// algorithms, <see cref="TrainerOptions.MaxDuration"/> = the spec's budget, seed). The study adds
    /// its own recording callback. Evaluate often enough (e.g. every epoch or every few hundred
    /// batches) for the time-to-target to be resolved. Required.
    /// </summary>
    public Func<StudyRunSpec, TrainerOptions>? CreateRun { get; set; }

    /// <summary>
    /// An input batch for the footprint's inference latency (e.g. 64 test images); null skips the
    /// latency. Parameter count and size on disk are always measured.
    /// </summary>
    public Func<Tensor>? FootprintInput { get; set; }

    /// <summary>Where progress lines go (one per finished run); null for none.</summary>
    public System.IO.TextWriter? Log { get; set; }

    /// <summary>The budgets of <paramref name="recipe"/>.</summary>
    public IReadOnlyList<Duration> BudgetsOf(string recipe) =>
        Budgets.TryGetValue(recipe, out var list) && list.Count > 0 ? list.ToList() : new List<Duration> { DefaultBudget };

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(StudyOptions));
        v.Require(Recipes is { Count: > 0 }, nameof(Recipes), Recipes?.Count ?? 0, "at least one recipe");
        if (Recipes is not null)
        {
            v.Require(Recipes.All(r => !string.IsNullOrWhiteSpace(r)), nameof(Recipes), string.Join(", ", Recipes), "non-empty names");
            v.Require(Recipes.Distinct().Count() == Recipes.Count, nameof(Recipes), string.Join(", ", Recipes), "distinct names");
            v.Require(Recipes.Contains(Baseline), nameof(Baseline), Baseline, "one of the recipes (" + string.Join(", ", Recipes) + ")");
        }
        v.Require(Seeds is { Count: > 0 }, nameof(Seeds), Seeds?.Count ?? 0, "at least one seed");
        if (Seeds is not null) v.Require(Seeds.Distinct().Count() == Seeds.Count, nameof(Seeds), string.Join(", ", Seeds), "distinct seeds");
        v.NotNull(Budgets, nameof(Budgets));
        if (Budgets is not null)
            foreach (var (recipe, budgets) in Budgets)
            {
                v.Require(Recipes?.Contains(recipe) ?? false, nameof(Budgets), recipe, "budgets only for listed recipes");
                v.Require(budgets is not null && budgets.All(b => b.Value > 0 && b.Unit != TimeUnit.Duration), nameof(Budgets), recipe,
                    "positive budgets in ep, ba, sp or tok");
            }
        v.Require(DefaultBudget.Value > 0 && DefaultBudget.Unit != TimeUnit.Duration, nameof(DefaultBudget), DefaultBudget, "a positive budget in ep, ba, sp or tok");
        v.Require(!string.IsNullOrWhiteSpace(Metric), nameof(Metric), Metric, "a metric name");
        if (Target is { } t) v.Require(double.IsFinite(t), nameof(Target), t, "a finite value");
        v.NotNull(CreateRun, nameof(CreateRun));
        v.ThrowIfInvalid();
    }
}
