using System;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;
using Efficient.Training;              // [+ Efficient.Training] the Trainer
using Efficient.Training.Algorithms;   // [+ Efficient.Training] the techniques

namespace QuickStart;

/// <summary>
/// The user's own model: an ordinary TorchSharp module (16 → 64 → 4 with a ReLU). Nothing in it
/// knows about Efficient.Training.
/// </summary>
public sealed class TwoLayerNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden;
    private readonly Linear output;

    /// <summary>Creates the network.</summary>
    public TwoLayerNet(int inputs, int width, int classes) : base(nameof(TwoLayerNet))
    {
        hidden = nn.Linear(inputs, width);
        output = nn.Linear(width, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => output.call(relu(hidden.call(input)));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hidden.Dispose();
            output.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// A plain TorchSharp program (its own module, <c>DataLoader</c>, <c>optim.SGD</c>, its own loop) on a
/// synthetic 4-class problem, and what Efficient.Training adds to it: a functional form called inside
/// that loop (label smoothing), and the same model trained by the library's <c>Trainer</c> with
/// techniques. Every line that uses the library is marked <c>// [+ Name]</c>.
/// </summary>
public static class Program
{
    private const string Usage = "usage: QuickStart [--epochs N] [--seed S]";

    /// <summary>Runs the demo: <c>--epochs N</c> (default 5), <c>--seed S</c> (default 0).</summary>
    public static int Main(string[] args)
    {
        try
        {
            var (epochs, seed) = ParseArgs(args);
            var result = Train(epochs, seed, Console.Out);
            return result.LoopAccuracy > result.InitialAccuracy && result.TrainerAccuracy > result.InitialAccuracy ? 0 : 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"QuickStart: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e)
        {
            // One line instead of a stack trace (a native load failure, for instance).
            Console.Error.WriteLine($"QuickStart: {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
            return 1;
        }
    }

    /// <summary>The outcome of a run: test accuracy before training, after the hand-written loop and after the Trainer.</summary>
    /// <param name="InitialAccuracy">Test accuracy of an untrained network.</param>
    /// <param name="LoopAccuracy">Test accuracy after the hand-written loop.</param>
    /// <param name="TrainerAccuracy">Test accuracy after the Trainer's run.</param>
    /// <param name="FirstLoss">The hand-written loop's first training loss.</param>
    /// <param name="LastLoss">The hand-written loop's last training loss.</param>
    public sealed record Result(double InitialAccuracy, double LoopAccuracy, double TrainerAccuracy, float FirstLoss, float LastLoss);

    internal static (int epochs, int seed) ParseArgs(string[] args)
    {
        var epochs = 5;
        var seed = 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--epochs":
                    var s = Next();
                    if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out epochs) || epochs < 1)
                        throw new ArgumentException($"--epochs must be a positive integer, got '{s}'");
                    break;
                case "--seed":
                    var v = Next();
                    if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
                        throw new ArgumentException($"--seed must be an integer, got '{v}'");
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        return (epochs, seed);
    }

    /// <summary>Trains for <paramref name="epochs"/> epochs, first in a hand-written loop, then with the Trainer, and reports to <paramref name="log"/>.</summary>
    public static Result Train(int epochs, int seed, TextWriter log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentNullException.ThrowIfNull(log);
        manual_seed(seed);
        using var scope = NewDisposeScope();

        // Data: 16-D points labelled by a random linear teacher over 4 classes; 1024 to train on, 512 to test.
        var teacher = randn(16, 4);
        var trainX = randn(1024, 16);
        var trainY = trainX.matmul(teacher).argmax(1);
        var testX = randn(512, 16);
        var testY = testX.matmul(teacher).argmax(1);

        // 1. The user's loop, with one functional form added.
        using var model = new TwoLayerNet(16, 64, 4);
        var initialAccuracy = Evaluate(model, testX, testY);
        using var optimizer = optim.SGD(model.parameters(), learningRate: 0.1, momentum: 0.9);
        using var loader = utils.data.DataLoader(utils.data.TensorDataset(trainX, trainY), batchSize: 64, shuffle: true, seed: seed);
        float firstLoss = float.NaN, lastLoss = float.NaN;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            model.train();
            foreach (var batch in loader)
            {
                using var batchScope = NewDisposeScope();
                Tensor x = batch[0], y = batch[1];
                var target = LabelSmoothing.SmoothLabels(y, numClasses: 4, smoothing: 0.1);   // [+ LabelSmoothing] soft targets instead of y
                optimizer.zero_grad();
                var loss = cross_entropy(model.call(x), target);
                loss.backward();
                optimizer.step();
                lastLoss = loss.item<float>();
                if (float.IsNaN(firstLoss)) firstLoss = lastLoss;
            }
            log.WriteLine(FormattableString.Invariant($"loop    epoch {epoch}: train loss {lastLoss:F4}"));
        }
        var loopAccuracy = Evaluate(model, testX, testY);
        log.WriteLine(FormattableString.Invariant($"loop    test accuracy {initialAccuracy:P1} -> {loopAccuracy:P1}"));

        // 2. The same kind of model trained by the Trainer, with techniques.
        manual_seed(seed);
        using var model2 = new TwoLayerNet(16, 64, 4);
        // [+ Trainer] options, data, techniques and the fit replace the hand-written loop.
        var trainer = new Trainer(new TrainerOptions
        {
            Model = model2,
            Optimizer = parameters => optim.SGD(parameters, learningRate: 0.1, momentum: 0.9),
            TrainData = new TensorTrainingData(trainX, trainY, batchSize: 64, seed: seed),
            EvalData = new TensorTrainingData(testX, testY, batchSize: 512, shuffle: false),
            MaxDuration = Duration.Epochs(epochs),
            Seed = seed,
            Algorithms = { new LabelSmoothingAlgorithm(new LabelSmoothingOptions { Smoothing = 0.1 }), new EmaAlgorithm(new EmaOptions { HalfLife = Duration.Batches(10) }) },
        });
        var fit = trainer.Fit();
        var trainerAccuracy = fit.Metrics["accuracy"];                                          // [+ Trainer]
        log.WriteLine(FormattableString.Invariant($"trainer {fit.Timestamp.Batch} batches with label smoothing and EMA: test accuracy {trainerAccuracy:P1}"));
        log.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {__version__}");
        return new Result(initialAccuracy, loopAccuracy, trainerAccuracy, firstLoss, lastLoss);
    }

    private static double Evaluate(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.call(x).argmax(1).eq(y).to_type(ScalarType.Float32).mean().item<float>();
    }
}
