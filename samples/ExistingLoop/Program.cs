using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;
using Efficient.Training;              // [+ Efficient.Training] Duration (for the EMA half-life)
using Efficient.Training.Algorithms;   // [+ Efficient.Training] the techniques' functional forms

namespace ExistingLoop;

/// <summary>The techniques the sample can add to its hand-written loop.</summary>
[Flags]
public enum Techniques
{
    /// <summary>The plain loop.</summary>
    None = 0,
    /// <summary>MixUp (<c>mixup</c>): train on mixed pairs of images, interpolate the loss.</summary>
    MixUp = 1,
    /// <summary>Label smoothing (<c>label-smoothing</c>): cross-entropy against smoothed targets.</summary>
    LabelSmoothing = 2,
    /// <summary>EMA of the weights (<c>ema</c>), swapped in for evaluation.</summary>
    Ema = 4,
    /// <summary>Progressive resizing (<c>progressive-resizing</c>): smaller images early in training.</summary>
    ProgressiveResizing = 8,
    /// <summary>Sharpness-aware minimization (<c>sam</c>): a second gradient at a perturbed point.</summary>
    Sam = 16,
    /// <summary>All of the above.</summary>
    All = MixUp | LabelSmoothing | Ema | ProgressiveResizing | Sam,
}

/// <summary>The sample's command-line options.</summary>
public sealed record LoopOptions
{
    /// <summary>The techniques added to the loop.</summary>
    public Techniques Techniques { get; init; } = Techniques.None;
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Use only the first N training samples (quick runs).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Use only the first N test samples.</summary>
    public int? EvalLimit { get; init; }
    /// <summary>The run's seed (weights, shuffling, MixUp draws).</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Intra-op threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Where Fashion-MNIST lives.</summary>
    public string DataFolder { get; init; } = FashionMnistFiles.DefaultFolder;
}

/// <summary>The outcome of a run: the last evaluation (with the EMA weights when EMA is on) and the time taken.</summary>
/// <param name="Accuracy">Top-1 accuracy on the evaluation images, in [0, 1].</param>
/// <param name="EvalLoss">Mean cross-entropy on the evaluation images.</param>
/// <param name="TrainLoss">The training loss of the last batch.</param>
/// <param name="WeightNorm">The global L2 norm of the evaluated model's parameters.</param>
/// <param name="Batches">Optimizer steps taken.</param>
/// <param name="WallTime">Wall-clock time of training and evaluation (data loading excluded).</param>
public sealed record LoopResult(double Accuracy, double EvalLoss, double TrainLoss, double WeightNorm, long Batches, TimeSpan WallTime);

/// <summary>
/// A plain TorchSharp training loop (its own module, DataLoader, SGD, <c>loss.backward()</c>,
/// <c>optimizer.step()</c>, an evaluation loop) on Fashion-MNIST, with the library's techniques
/// added through their functional forms — no Trainer. Every added line is marked <c>// [+ Name]</c>:
/// delete the marked lines and what is left is the loop you started from.
/// </summary>
public static class Program
{
    /// <summary>The technique names accepted by <c>--techniques</c>, in the order they are listed.</summary>
    public static readonly (string Name, Techniques Technique)[] TechniqueNames =
    {
        ("mixup", Techniques.MixUp),
        ("label-smoothing", Techniques.LabelSmoothing),
        ("ema", Techniques.Ema),
        ("progressive-resizing", Techniques.ProgressiveResizing),
        ("sam", Techniques.Sam),
    };

    private const string Usage = """
        usage: ExistingLoop [--techniques LIST] [--epochs N] [--batch-size N] [--train-limit N] [--eval-limit N]
                            [--seed N] [--threads N] [--data DIR]
          --techniques  none (default), all, or a comma list of mixup, label-smoothing, ema, progressive-resizing, sam
        """;

    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        LoopOptions options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"ExistingLoop: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        try
        {
            Run(options, Console.Out);
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine($"ExistingLoop: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            // One line instead of a stack trace (a native load failure, for instance).
            Console.Error.WriteLine($"ExistingLoop: {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
            return 1;
        }
    }

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static LoopOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new LoopOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            int PositiveInt(string name)
            {
                var v = Next();
                return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer, got '{v}'");
            }
            switch (args[i])
            {
                case "--techniques": o = o with { Techniques = ParseTechniques(Next()) }; break;
                case "--epochs": o = o with { Epochs = PositiveInt("--epochs") }; break;
                case "--batch-size": o = o with { BatchSize = PositiveInt("--batch-size") }; break;
                case "--train-limit": o = o with { TrainLimit = PositiveInt("--train-limit") }; break;
                case "--eval-limit": o = o with { EvalLimit = PositiveInt("--eval-limit") }; break;
                case "--seed":
                    var s = Next();
                    o = o with { Seed = int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : throw new ArgumentException($"--seed must be an integer, got '{s}'") };
                    break;
                case "--threads": o = o with { Threads = PositiveInt("--threads") }; break;
                case "--data": o = o with { DataFolder = Next() }; break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (o.TrainLimit < o.BatchSize)
            throw new ArgumentException($"--train-limit ({o.TrainLimit}) must be at least --batch-size ({o.BatchSize}): the loop drops incomplete batches");
        return o;
    }

    private static Techniques ParseTechniques(string list)
    {
        if (list == "none") return Techniques.None;
        if (list == "all") return Techniques.All;
        var result = Techniques.None;
        foreach (var name in list.Split(','))
        {
            var match = TechniqueNames.FirstOrDefault(t => t.Name == name.Trim());
            if (match.Name is null)
                throw new ArgumentException($"unknown technique '{name}' in --techniques; expected none, all, or a comma list of {string.Join(", ", TechniqueNames.Select(t => t.Name))}");
            result |= match.Technique;
        }
        return result;
    }

    /// <summary>The names of <paramref name="techniques"/>, comma-separated (<c>none</c> when empty).</summary>
    public static string Describe(Techniques techniques) =>
        techniques == Techniques.None ? "none" : string.Join(",", TechniqueNames.Where(t => techniques.HasFlag(t.Technique)).Select(t => t.Name));

    /// <summary>Trains with <paramref name="options"/> and reports to <paramref name="log"/>.</summary>
    public static LoopResult Run(LoopOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var use = options.Techniques;
        set_num_threads(options.Threads);
        var (trainX, trainY) = FashionMnistFiles.Load(options.DataFolder, train: true, limit: options.TrainLimit);
        var (testX, testY) = FashionMnistFiles.Load(options.DataFolder, train: false, limit: options.EvalLimit);
        try
        {
            log.WriteLine($"ExistingLoop on Fashion-MNIST: techniques {Describe(use)}, {trainX.shape[0]} training images, {options.Epochs} epoch(s), seed {options.Seed}, {options.Threads} threads");
            return Train(options, trainX, trainY, testX, testY, log);
        }
        finally
        {
            trainX.Dispose();
            trainY.Dispose();
            testX.Dispose();
            testY.Dispose();
        }
    }

    // The loop itself: ordinary TorchSharp code; the lines marked [+ ...] are what each technique adds.
    private static LoopResult Train(LoopOptions options, Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, TextWriter log)
    {
        var use = options.Techniques;
        manual_seed(options.Seed);
        using var model = new SmallConvNet(classes: 10);
        using var loader = utils.data.DataLoader(utils.data.TensorDataset(trainX, trainY), options.BatchSize, shuffle: true, seed: options.Seed, drop_last: true);
        var batchesPerEpoch = trainX.shape[0] / options.BatchSize;
        var totalBatches = options.Epochs * batchesPerEpoch;
        using var optimizer = optim.SGD(model.parameters(), learningRate: 0.1, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        var scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, totalBatches);

        // [+ EMA] shadow weights, averaged after every step with a half-life of a tenth of the run
        //         (Composer's default, 1000 batches, is meant for long runs).
        using var shadow = use.HasFlag(Techniques.Ema) ? ShadowWeights.Of(model) : null;
        var emaSmoothing = Ema.SmoothingFor(Duration.Batches(Math.Max(1, totalBatches / 10)), Duration.Batches(1));

        var watch = Stopwatch.StartNew();
        long step = 0;
        double trainLoss = double.NaN;
        (double accuracy, double loss, double weightNorm) evaluation = default;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            model.train();
            foreach (var batch in loader)
            {
                using var scope = NewDisposeScope();
                Tensor x = batch[0], y = batch[1];
                var progress = (double)step / totalBatches;

                // [+ ProgressiveResizing] smaller images early: half size until half-way, full size for the last 20%.
                if (use.HasFlag(Techniques.ProgressiveResizing))
                {
                    var (h, w) = ProgressiveResizing.TargetSize(x.shape[2], x.shape[3], ProgressiveResizing.ScaleFactor(progress));
                    if (h < x.shape[2]) x = ProgressiveResizing.Resize(x, h, w);
                }

                // [+ MixUp] train on λ·x + (1 − λ)·x[π], λ ~ Beta(0.2, 0.2).
                MixedBatch? mixed = use.HasFlag(Techniques.MixUp) ? MixUp.MixBatch(x, y, alpha: 0.2) : null;
                if (mixed is not null) x = mixed.Input;

                Tensor Criterion(Tensor output, Tensor target) =>
                    cross_entropy(output, use.HasFlag(Techniques.LabelSmoothing)
                        ? LabelSmoothing.SmoothLabels(target, numClasses: 10, smoothing: 0.1)   // [+ LabelSmoothing]
                        : target);
                Tensor Loss(Tensor output) => mixed is not null
                    ? mixed.Loss(output, Criterion)                                              // [+ MixUp] λ·L(y) + (1 − λ)·L(y[π])
                    : Criterion(output, y);

                optimizer.zero_grad();
                var loss = Loss(model.call(x));
                loss.backward();

                // [+ SAM] every 10th step: gradient again at w + ρ·g/‖g‖ (ρ = 0.05), then step from w with it.
                if (use.HasFlag(Techniques.Sam) && step % 10 == 0)
                {
                    using var perturbation = Sam.Perturb(model.parameters(), rho: 0.05);
                    optimizer.zero_grad();
                    Loss(model.call(x)).backward();
                    perturbation.Restore();
                }

                optimizer.step();
                scheduler.step();
                if (shadow is not null) Ema.Update(shadow, model, emaSmoothing);   // [+ EMA]

                trainLoss = loss.item<float>();
                step++;
            }

            shadow?.SwapIn(model);   // [+ EMA] evaluate with the averaged weights ...
            evaluation = Evaluate(model, testX, testY);
            shadow?.SwapOut(model);  // [+ EMA] ... and go back to the trained ones.
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}: train loss {trainLoss:0.0000}, eval loss {evaluation.loss:0.0000}, accuracy {evaluation.accuracy:P2} ({watch.Elapsed.TotalSeconds:0.0} s)"));
        }
        shadow?.CopyTo(model);       // [+ EMA] keep the average as the final model.

        var result = new LoopResult(evaluation.accuracy, evaluation.loss, trainLoss, evaluation.weightNorm, step, watch.Elapsed);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: techniques {Describe(use)}; {step} batches, accuracy {result.Accuracy:P2}, eval loss {result.EvalLoss:0.0000}, wall time {result.WallTime.TotalSeconds:0.0} s"));
        return result;
    }

    private static (double accuracy, double loss, double weightNorm) Evaluate(nn.Module<Tensor, Tensor> model, Tensor testX, Tensor testY)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long correct = 0;
        double lossSum = 0;
        var n = testX.shape[0];
        for (long start = 0; start < n; start += 500)
        {
            using var batchScope = NewDisposeScope();
            var length = Math.Min(500, n - start);
            var x = testX.narrow(0, start, length);
            var y = testY.narrow(0, start, length);
            var output = model.call(x);
            lossSum += cross_entropy(output, y, reduction: nn.Reduction.Sum).item<float>();
            correct += output.argmax(1).eq(y).sum().item<long>();
        }
        var weightNorm = stack(model.parameters().Select(p => p.norm())).norm().item<float>();
        model.train();
        return ((double)correct / n, lossSum / n, weightNorm);
    }
}

/// <summary>
/// The loop's model, an ordinary TorchSharp module: three conv-BN-ReLU stages (the last two
/// strided), global average pooling (so any input size works) and a linear classifier.
/// </summary>
public sealed class SmallConvNet : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Linear classifier;

    /// <summary>Creates the network for 1-channel images and <paramref name="classes"/> classes.</summary>
    public SmallConvNet(int classes) : base(nameof(SmallConvNet))
    {
        features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding: 1, bias: false), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(64), nn.ReLU(),
            nn.Conv2d(64, 128, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(128), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten());
        classifier = nn.Linear(128, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => classifier.call(features.call(input));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            features.Dispose();
            classifier.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Reads Fashion-MNIST from its IDX files (<c>*-ubyte.gz</c>, Debian's <c>dataset-fashion-mnist</c>).</summary>
public static class FashionMnistFiles
{
    /// <summary>Where Debian's package puts the files.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// Loads the training (60,000) or test (10,000) split, or its first <paramref name="limit"/>
    /// images: images [N, 1, 28, 28] normalized with the training set's mean and standard deviation, labels [N] (int64).
    /// </summary>
    public static (Tensor images, Tensor labels) Load(string folder, bool train, int? limit = null)
    {
        var prefix = train ? "train" : "t10k";
        var (imageDims, pixels) = Read(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"));
        var (labelDims, labels) = Read(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"));
        if (imageDims is not [var count, 28, 28] || labelDims is not [var labelCount] || labelCount != count)
            throw new InvalidDataException($"'{folder}' holds {prefix} files of shapes [{string.Join(", ", imageDims)}] and [{string.Join(", ", labelDims)}]; expected [N, 28, 28] and [N].");
        var n = Math.Min(count, limit ?? int.MaxValue);
        using var scope = NewDisposeScope();
        var images = tensor(pixels[..(n * 28 * 28)], new long[] { n, 1, 28, 28 }).to_type(ScalarType.Float32).div_(255).sub_(0.2860).div_(0.3530);
        var targets = tensor(labels[..n], new long[] { n }).to_type(ScalarType.Int64);
        return (images.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }

    // IDX: two zero bytes, the element type (0x08: unsigned byte), the rank, the big-endian sizes, then the data.
    private static (int[] dims, byte[] data) Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Fashion-MNIST file '{path}' is missing. Install the data set with 'sudo apt-get install dataset-fashion-mnist' (or pass --data with the folder that holds the *-ubyte.gz files).", path);
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new BinaryReader(gzip);
        var header = reader.ReadBytes(4);
        if (header.Length < 4 || header[0] != 0 || header[1] != 0 || header[2] != 0x08)
            throw new InvalidDataException($"'{path}' is not an IDX file of unsigned bytes.");
        var dims = new int[header[3]];
        for (var i = 0; i < dims.Length; i++) dims[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(reader.ReadBytes(4));
        var length = dims.Aggregate(1L, (a, d) => a * d);
        var data = reader.ReadBytes(checked((int)length));
        if (data.Length != length) throw new InvalidDataException($"'{path}' ends after {data.Length} of {length} bytes.");
        return (dims, data);
    }
}
