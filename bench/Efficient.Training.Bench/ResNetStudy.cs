using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Efficient.Training.Datasets;
using Efficient.Training.Evaluation;
using Efficient.Training.Plotting;
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
    public static int Run(List<long> seeds, List<string> recipes, List<Duration> baselineBudgets, List<Duration> recipeBudgets, Dictionary<string, IList<Duration>> budgetsOf, int trainLimit, int evalLimit, int validation, int threads, string output)
    {
        if (!recipes.Contains("baseline")) throw new ArgumentException("--recipes must include baseline");
        foreach (var r in recipes) Recipes.Create(r);
        set_num_threads(threads);
        Tensor trainX, trainY, testX, testY;
        if (validation > 0)
        {
            // Tuning: the last `validation` training images are held out (never trained on) and evaluated;
            // the test set stays unseen until the reported runs.
            var (allX, allY) = FashionMnist.Load(train: true);
            var trainCount = Math.Min(trainLimit, allX.shape[0] - validation);
            (trainX, trainY) = (allX.narrow(0, 0, trainCount), allY.narrow(0, 0, trainCount));
            var evalCount = Math.Min(evalLimit, validation);
            (testX, testY) = (allX.narrow(0, allX.shape[0] - validation, evalCount), allY.narrow(0, allX.shape[0] - validation, evalCount));
        }
        else
        {
            (trainX, trainY) = FashionMnist.Load(train: true, limit: trainLimit);
            (testX, testY) = FashionMnist.Load(train: false, limit: evalLimit);
        }
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
            $"ResNet study: {trainX.shape[0]} training / {testX.shape[0]} {(validation > 0 ? "validation (held out from training)" : "test")} images, {threads} threads, seeds {string.Join(",", seeds)}, budgets {string.Join("; ", budgets.Select(b => $"{b.Key} {string.Join(",", b.Value)}"))}"));
        var result = Study.Run(options);
        foreach (var path in result.Write(output).Concat(StudyPlots.Write(result, output))) Console.WriteLine($"wrote {path}");
        Console.WriteLine(result.ToMarkdown());
        return 0;
    }
}
