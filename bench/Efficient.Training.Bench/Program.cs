using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using TorchSharp;

using Efficient.Training;
using Efficient.Training.Datasets;
using static TorchSharp.torch;

namespace Efficient.Training.Bench;

/// <summary>
/// Benchmarks of the training layer. Commands: <c>trainer-overhead</c> (default),
/// <c>train-step</c> (<see cref="TrainStep"/>), <c>technique-overhead</c> (<see cref="TechniqueOverhead"/>),
/// <c>study</c> (<c>ResNetStudy</c>), <c>ddp-step</c> (<c>DdpStep</c>) and <c>soak</c> (<c>Soak</c>).
/// trainer-overhead: the residual CNN of the train-step benchmark trained for the same batches
/// (Fashion-MNIST, batch 128, SGD momentum) by the Trainer and by a plain hand-written loop,
/// interleaved; prints the median seconds of each and the ratio.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "trainer-overhead";
        var rest = args.Length > 0 && command == args[0] ? args[1..] : args;
        try
        {
            return command switch
            {
                "trainer-overhead" => TrainerOverhead(rest),
                "train-step" => TrainStep.Run(rest),
                "technique-overhead" => Bench.TechniqueOverhead.Run(rest),
                "study" => ResNetStudy.Run(rest),
                "ddp-step" => DdpStep.Run(args),
                "soak" => Soak.Run(rest),
                _ => throw new ArgumentException($"unknown command '{command}'; available: trainer-overhead, train-step, technique-overhead, study, ddp-step, soak"),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"Efficient.Training.Bench: {e.Message}");
            return 2;
        }
    }

    private static int TrainerOverhead(string[] args)
    {
        var batches = 20;
        var rounds = 3;
        var threads = 2;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--batches": batches = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}; usage: trainer-overhead [--batches N] [--rounds N] [--threads N]");
                    return 2;
            }
        }
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
