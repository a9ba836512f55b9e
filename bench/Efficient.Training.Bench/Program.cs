using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;

using Efficient.Samples;
using Efficient.Training;
using Efficient.Training.Datasets;
using static TorchSharp.torch;

namespace Efficient.Training.Bench;

/// <summary>
/// Benchmarks of the training layer, one System.CommandLine command each (<c>--help</c> lists them
/// and their options): <c>trainer-overhead</c> (default), <c>train-step</c> (<see cref="TrainStep"/>),
/// <c>technique-overhead</c> (<see cref="Bench.TechniqueOverhead"/>), <c>study</c> (<c>ResNetStudy</c>),
/// <c>ddp-step</c> (<c>DdpStep</c>) and <c>soak</c> (<c>Soak</c>).
/// trainer-overhead: the residual CNN of the train-step benchmark trained for the same batches
/// (Fashion-MNIST, batch 128, SGD momentum) by the Trainer and by a plain hand-written loop,
/// interleaved; prints the median seconds of each and the ratio.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = Commands();
        ParseResult parsed;
        try
        {
            parsed = root.Parse(args);
            if (parsed.Action is not HelpAction && parsed.Errors.Count > 0) throw new ArgumentException(parsed.Errors[0].Message);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"Efficient.Training.Bench: {e.Message}");
            Console.Error.WriteLine("Run 'Efficient.Training.Bench --help' for the commands.");
            return 2;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"Efficient.Training.Bench: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Efficient.Training.Bench: {e.Message}");
            return 1;
        }
    }

    // trainer-overhead (also the root's own action), train-step, technique-overhead, study, ddp-step, soak.
    private static RootCommand Commands()
    {
        static Option<int> Positive(string name, string description, int value) => SampleCommandLine.PositiveInt(name, description, value);
        static Option<List<Duration>> Durations(string name, string description, params Duration[] values) => new(name)
        {
            Description = description,
            DefaultValueFactory = _ => values.ToList(),
            CustomParser = r =>
            {
                var list = new List<Duration>();
                foreach (var part in (r.Tokens.Count > 0 ? r.Tokens[0].Value : "").Split(','))
                    if (SampleCommandLine.ParseDuration(r, name, part) is { } d) list.Add(d);
                return list;
            },
        };
        static Option<string[]> List(string name, string description, params string[] values) => new(name)
        {
            Description = description,
            DefaultValueFactory = _ => values,
            CustomParser = r => (r.Tokens.Count > 0 ? r.Tokens[0].Value : "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };

        var root = new RootCommand("Benchmarks of Efficient.Training (docs/benchmarks.md). Without a command: trainer-overhead.");

        var overheadBatches = Positive("--batches", "batches per run", 20);
        var overheadRounds = Positive("--rounds", "interleaved rounds", 3);
        var overheadThreads = Positive("--threads", "intra-op threads", 2);
        var trainerOverhead = new Command("trainer-overhead", "The residual CNN trained for the same batches by the Trainer and by a hand-written loop, interleaved: median seconds of each and the ratio.")
        {
            overheadBatches, overheadRounds, overheadThreads,
        };
        Func<ParseResult, int> overhead = r => TrainerOverhead(r.GetValue(overheadBatches), r.GetValue(overheadRounds), r.GetValue(overheadThreads));
        trainerOverhead.SetAction(overhead);
        root.Add(trainerOverhead);
        foreach (var option in new Option[] { overheadBatches, overheadRounds, overheadThreads }) root.Add(option);
        root.SetAction(overhead);

        var model = new Option<string?>("--model") { Description = "resnet or bert", Required = true };
        model.AcceptOnlyFromAmong("resnet", "bert");
        var stepSteps = Positive("--steps", "timed steps", 20);
        var stepWarmup = Positive("--warmup", "untimed steps first", 3);
        var stepThreads = Positive("--threads", "intra-op threads", 2);
        var interop = SampleCommandLine.OptionalPositiveInt("--interop-threads", "inter-op threads (default: libtorch's)");
        var noScope = SampleCommandLine.Flag("--no-scope", "no dispose scope per step");
        var channelsLast = SampleCommandLine.Flag("--channels-last", "the CNN in channels-last layout");
        var trainStep = new Command("train-step", "One training step of a residual CNN or a BERT-style encoder, TorchSharp side of bench/run-train-step.sh.")
        {
            model, stepSteps, stepWarmup, stepThreads, interop, noScope, channelsLast,
        };
        trainStep.SetAction(r => TrainStep.Run(r.GetValue(model), r.GetValue(stepSteps), r.GetValue(stepWarmup), r.GetValue(stepThreads), r.GetValue(interop) ?? 0, !r.GetValue(noScope), r.GetValue(channelsLast)));
        root.Add(trainStep);

        var techWarmup = Positive("--warmup", "untimed batches first", 3);
        var techBatches = Positive("--batches", "timed batches", 10);
        var techRounds = Positive("--rounds", "interleaved rounds", 2);
        var techThreads = Positive("--threads", "intra-op threads", 1);
        var only = List("--only", "only these techniques, comma-separated");
        var technique = new Command("technique-overhead", "Each technique's cost per batch against the plain Trainer.")
        {
            techWarmup, techBatches, techRounds, techThreads, only,
        };
        technique.SetAction(r => Bench.TechniqueOverhead.Run(r.GetValue(techWarmup), r.GetValue(techBatches), r.GetValue(techRounds), r.GetValue(techThreads), r.GetValue(only) is { Length: > 0 } o ? o : null));
        root.Add(technique);

        var seeds = new Option<List<long>>("--seeds")
        {
            Description = "seeds, comma-separated",
            DefaultValueFactory = _ => new List<long> { 0, 1, 2 },
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                var list = new List<long>();
                foreach (var part in text.Split(','))
                {
                    if (long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) list.Add(v);
                    else r.AddError($"--seeds must be comma-separated integers, got '{text}'");
                }
                return list;
            },
        };
        var recipes = List("--recipes", "recipes, comma-separated (baseline included)", "baseline", "mild", "medium");
        var baselineBudgets = Durations("--baseline-budgets", "the baseline's budgets", Duration.Epochs(5), Duration.Epochs(10), Duration.Epochs(20));
        var recipeBudgets = Durations("--recipe-budgets", "every other recipe's budgets (unless --budgets names it)", Duration.Epochs(32));
        var budgets = new Option<string[]>("--budgets") { Description = "RECIPE=D,D,... (repeatable) for one recipe's budgets; mild's default is 24ep,32ep", DefaultValueFactory = _ => Array.Empty<string>() };
        var trainLimit = Positive("--train-limit", "training images", 12_000);
        var evalLimit = Positive("--eval-limit", "test images", 2_000);
        var studyThreads = Positive("--threads", "intra-op threads", 1);
        var validation = new Option<int>("--validation")
        {
            Description = "hold out the last N of the 60,000 training images as a validation split and evaluate on it instead of the test set (for tuning; 0 = the test set)",
            DefaultValueFactory = _ => 0,
            Validators = { r => { if (r.GetValueOrDefault<int>() is < 0 or >= 60_000) r.AddError("--validation must be in [0, 60000): the number of training images to hold out"); } },
        };
        var output = new Option<string>("--output") { Description = "output folder", DefaultValueFactory = _ => "study-resnet" };
        var ablate = new Option<string[]>("--ablate") { Description = "recipes to ablate: adds RECIPE-without-T for each technique T of the recipe (and -without-ssr), at the recipe's budgets", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => Array.Empty<string>() };
        var study = new Command("study", "The ResNet speed-up study: the baseline's accuracy-vs-time curve and each recipe at its budgets, several seeds.")
        {
            seeds, recipes, baselineBudgets, recipeBudgets, budgets, trainLimit, evalLimit, studyThreads, output, ablate, validation,
        };
        study.SetAction(r =>
        {
            var budgetsOf = new Dictionary<string, IList<Duration>>();
            foreach (var spec in r.GetValue(budgets)!)
            {
                var parts = spec.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0) throw new ArgumentException($"--budgets takes RECIPE=D,D,... (e.g. medium=36ep), got '{spec}'");
                budgetsOf[parts[0]] = parts[1].Split(',').Select(Duration.Parse).ToList();
            }
            var studied = r.GetValue(recipes)!.ToList();
            var ablated = r.GetValue(ablate)!.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
            // mild's own default budgets, when it is studied and --budgets does not name it.
            if ((studied.Contains("mild") || ablated.Contains("mild")) && !budgetsOf.ContainsKey("mild"))
                budgetsOf["mild"] = new List<Duration> { Duration.Epochs(24), Duration.Epochs(32) };
            foreach (var recipe in ablated)
            {
                if (!studied.Contains(recipe)) studied.Add(recipe);
                foreach (var variant in ResNetSample.Recipes.Ablations(recipe).Where(v => !studied.Contains(v)))
                {
                    studied.Add(variant);
                    // An ablation trains at the budgets of the recipe it comes from.
                    if (budgetsOf.TryGetValue(recipe, out var own)) budgetsOf[variant] = own;
                }
            }
            return ResNetStudy.Run(r.GetValue(seeds)!, studied, r.GetValue(baselineBudgets)!, r.GetValue(recipeBudgets)!, budgetsOf, r.GetValue(trainLimit), r.GetValue(evalLimit), r.GetValue(validation), r.GetValue(studyThreads), r.GetValue(output)!);
        });
        root.Add(study);

        var mode = new Option<string>("--mode") { Description = "sync (DistributedDataParallel) or local (no communication)", DefaultValueFactory = _ => "sync" };
        mode.AcceptOnlyFromAmong("sync", "local");
        var ddpSteps = Positive("--steps", "timed steps", 30);
        var ddpWarmup = Positive("--warmup", "untimed steps first", 5);
        var ddpBatch = Positive("--batch", "batch per rank", 64);
        var ddpThreads = Positive("--threads", "intra-op threads per rank", 1);
        var bucket = new Option<double>("--bucket-mb") { Description = "gradient bucket cap in MiB", DefaultValueFactory = _ => 25 };
        var ddp = new Command("ddp-step", "One data-parallel step per rank (start with mpirun; bench/run-ddp-overhead.sh).")
        {
            mode, ddpSteps, ddpWarmup, ddpBatch, ddpThreads, bucket,
        };
        ddp.SetAction(r => DdpStep.Run(r.GetValue(mode)!, r.GetValue(ddpSteps), r.GetValue(ddpWarmup), r.GetValue(ddpBatch), r.GetValue(ddpThreads), r.GetValue(bucket)));
        root.Add(ddp);

        var soakBatches = Positive("--batches", "batches (at least 4000)", 10_000);
        var soakThreads = Positive("--threads", "intra-op threads", 1);
        var soak = new Command("soak", "10,000 batches through the Trainer with checkpoints and evaluations: live tensors and resident memory must stay flat.")
        {
            soakBatches, soakThreads,
        };
        soak.SetAction(r => Soak.Run(r.GetValue(soakBatches), r.GetValue(soakThreads)));
        root.Add(soak);
        return root;
    }

    private static int TrainerOverhead(int batches, int rounds, int threads)
    {
        set_num_threads(threads);
        var (images, labels) = FashionMnist.Load(train: true, limit: batches * 128);
        var data = new TensorTrainingData(images, labels, 128, shuffle: true, seed: 1);

        double HandLoop()
        {
            manual_seed(0);
            using var model = new ResNet();
            var opt = optim.SGD(model.parameters(), learningRate: 0.1, momentum: 0.9);
            model.train();
            var watch = Stopwatch.StartNew();
            foreach (var batch in data.GetEpoch(0))
            {
                using var scope = NewDisposeScope();
                opt.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(batch.Input), batch.Target);
                loss.backward();
                opt.step();
                _ = loss.ToDouble();
            }
            return watch.Elapsed.TotalSeconds;
        }

        double WithTrainer()
        {
            manual_seed(0);
            using var model = new ResNet();
            var trainer = new Trainer(new TrainerOptions
            {
                Model = model,
                Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9),
                TrainData = data,
                MaxDuration = Duration.Epochs(1),
                Seed = 0,
            });
            var watch = Stopwatch.StartNew();
            trainer.Fit();
            return watch.Elapsed.TotalSeconds;
        }

        HandLoop();
        WithTrainer();
        var hand = new List<double>();
        var trained = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            hand.Add(HandLoop());
            trained.Add(WithTrainer());
        }
        double Median(List<double> v) => v.OrderBy(x => x).ElementAt(v.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"benchmark\": \"trainer-overhead\", \"batches\": {batches}, \"threads\": {threads}, \"hand_loop_s\": {Median(hand):0.000}, \"trainer_s\": {Median(trained):0.000}, \"ratio\": {Median(trained) / Median(hand):0.000}, \"hand_rounds\": [{string.Join(", ", hand.Select(h => h.ToString("0.000", CultureInfo.InvariantCulture)))}], \"trainer_rounds\": [{string.Join(", ", trained.Select(h => h.ToString("0.000", CultureInfo.InvariantCulture)))}]}}"));
        return 0;
    }
}
