using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Efficient.Training.Datasets;
using Efficient.Training.Evaluation;
using ResNetSample;
using static Efficient.Torch.torch;

namespace Efficient.Training.Bench;

/// <summary>
/// study: the ResNet sample's speed-up study. Runs the baseline at several budgets (its
/// accuracy-vs-time curve) and each recipe at its budgets, over several seeds, on a Fashion-MNIST
/// subset, evaluating every epoch; writes study.csv/json/md/svg. Speed-up = the baseline's time to
/// its own final accuracy (longest budget) ÷ the recipe's time to that accuracy.
/// </summary>
internal static class ResNetStudy
{
    public static int Run(string[] args)
    {
        var seeds = new List<long> { 0, 1, 2 };
        var recipes = new List<string> { "baseline", "mild", "medium", "hot" };
        var baselineBudgets = new List<Duration> { Duration.Epochs(1), Duration.Epochs(2), Duration.Epochs(4) };
        var recipeBudgets = new List<Duration> { Duration.Epochs(4) };
        var trainLimit = 12_000;
        var evalLimit = 2_000;
        var threads = 2;
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
                case "--train-limit": trainLimit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--eval-limit": evalLimit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--output": output = Next(); break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}; usage: study [--seeds 0,1,2] [--recipes baseline,mild,medium,hot] [--baseline-budgets 1ep,2ep,4ep] [--recipe-budgets 4ep[,8ep]] [--train-limit N] [--eval-limit N] [--threads N] [--output DIR]");
            }
        }
        if (!recipes.Contains("baseline")) throw new ArgumentException("--recipes must include baseline");
        foreach (var r in recipes) Recipes.Create(r);
        set_num_threads(threads);
        var (trainX, trainY) = FashionMnist.Load(train: true, limit: trainLimit);
        var (testX, testY) = FashionMnist.Load(train: false, limit: evalLimit);
        var budgets = new Dictionary<string, IList<Duration>> { ["baseline"] = baselineBudgets };
        foreach (var r in recipes.Where(r => r != "baseline")) budgets[r] = recipeBudgets;
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
            $"ResNet study: {trainX.shape[0]} training / {testX.shape[0]} test images, {threads} threads, seeds {string.Join(",", seeds)}, baseline budgets {string.Join(",", baselineBudgets)}, recipes {string.Join(",", recipes.Where(r => r != "baseline"))} at {string.Join(",", recipeBudgets)}"));
        var result = Study.Run(options);
        foreach (var path in result.Write(output)) Console.WriteLine($"wrote {path}");
        Console.WriteLine(result.ToMarkdown());
        return 0;
    }
}
