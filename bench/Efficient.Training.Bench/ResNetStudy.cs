using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Efficient.Training.Datasets;
using Efficient.Training.Evaluation;
using ResNetSample;
using static TorchSharp.torch;

namespace Efficient.Training.Bench;

/// <summary>
/// study: the ResNet sample's speed-up study. Runs the baseline at several budgets (its
/// accuracy-vs-time curve) and each recipe at its budgets, over several seeds, on a Fashion-MNIST
/// subset, evaluating every epoch; writes study.csv/json/md/svg. Speed-up to target = the
/// baseline's mean training time at its budget that reaches its own final accuracy (longest budget)
/// ÷ a recipe budget's mean training time, where that budget's mean accuracy reaches it too
/// (<see cref="StudySummary"/>).
/// </summary>
internal static class ResNetStudy
{
    public static int Run(string[] args)
    {
        var seeds = new List<long> { 0, 1, 2 };
        // The defaults are the study in docs/benchmarks.md.
        var recipes = new List<string> { "baseline", "mild", "medium" };
        var baselineBudgets = new List<Duration> { Duration.Epochs(5), Duration.Epochs(10), Duration.Epochs(20) };
        var recipeBudgets = new List<Duration> { Duration.Epochs(32) };
        var budgetsOf = new Dictionary<string, IList<Duration>> { ["mild"] = new List<Duration> { Duration.Epochs(24), Duration.Epochs(32) } };
        var trainLimit = 12_000;
        var evalLimit = 2_000;
        var threads = 1;
        var output = "study-resnet";
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--seeds": seeds = Next().Split(',').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToList(); break;
                case "--recipes": recipes = Next().Split(',').ToList(); break;
                case "--baseline-budgets": baselineBudgets = Next().Split(',').Select(Duration.Parse).ToList(); break;
                case "--recipe-budgets": recipeBudgets = Next().Split(',').Select(Duration.Parse).ToList(); break;
                case "--budgets":
                    var spec = Next().Split('=', 2);
                    if (spec.Length != 2 || spec[0].Length == 0) throw new ArgumentException($"--budgets takes RECIPE=D,D,... (e.g. medium=36ep), got '{string.Join("=", spec)}'");
                    budgetsOf[spec[0]] = spec[1].Split(',').Select(Duration.Parse).ToList();
                    break;
                case "--train-limit": trainLimit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--eval-limit": evalLimit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--output": output = Next(); break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}; usage: study [--seeds 0,1,2] [--recipes baseline,mild,medium] [--baseline-budgets 5ep,10ep,20ep] [--recipe-budgets 32ep] [--budgets RECIPE=D,D ...] [--train-limit N] [--eval-limit N] [--threads N] [--output DIR]");
            }
        }
        if (!recipes.Contains("baseline")) throw new ArgumentException("--recipes must include baseline");
        foreach (var r in recipes) Recipes.Create(r);
        set_num_threads(threads);
        var (trainX, trainY) = FashionMnist.Load(train: true, limit: trainLimit);
        var (testX, testY) = FashionMnist.Load(train: false, limit: evalLimit);
        var budgets = new Dictionary<string, IList<Duration>> { ["baseline"] = budgetsOf.TryGetValue("baseline", out var ownBaseline) ? ownBaseline : baselineBudgets };
        foreach (var r in recipes.Where(r => r != "baseline")) budgets[r] = budgetsOf.TryGetValue(r, out var own) ? own : recipeBudgets;
        foreach (var r in budgetsOf.Keys.Where(r => !recipes.Contains(r))) throw new ArgumentException($"--budgets names '{r}', which is not in --recipes");
        var options = new StudyOptions
        {
            Recipes = recipes,
            Seeds = seeds,
            Budgets = budgets,
            Metric = "accuracy",
            FootprintInput = () => testX.narrow(0, 0, Math.Min(64, testX.shape[0])),
            Log = Console.Out,
            CreateRun = spec =>
            {
                manual_seed(spec.Seed);
                var sample = new SampleOptions { Recipe = spec.Recipe, MaxDuration = spec.Budget, Seed = spec.Seed, Threads = threads };
                return ResNetSample.Program.CreateTrainerOptions(sample, new Models.ResNet(), trainX, trainY, testX, testY);
            },
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ResNet study: {trainX.shape[0]} training / {testX.shape[0]} test images, {threads} threads, seeds {string.Join(",", seeds)}, budgets {string.Join("; ", budgets.Select(b => $"{b.Key} {string.Join(",", b.Value)}"))}"));
        var result = Study.Run(options);
        foreach (var path in result.Write(output)) Console.WriteLine($"wrote {path}");
        Console.WriteLine(result.ToMarkdown());
        return 0;
    }
}
