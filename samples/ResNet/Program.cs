using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Efficient.Samples;
using TorchSharp;
using Efficient.Training;
using Efficient.Training.Datasets;
using Efficient.Training.Models;
using Spectre.Console;
using static TorchSharp.torch;

namespace ResNetSample;

/// <summary>The sample's command-line options.</summary>
public sealed record SampleOptions
{
    /// <summary>The recipe to train with.</summary>
    public string Recipe { get; init; } = "baseline";
    /// <summary>A recipe file to train with instead of <see cref="Recipe"/> (JSON, <see cref="Efficient.Training.RecipeFile"/>).</summary>
    public string? RecipeFile { get; init; }
    /// <summary>How long to train.</summary>
    public Duration MaxDuration { get; init; } = Duration.Epochs(2);
    /// <summary>The run's seed.</summary>
    public long Seed { get; init; } = 42;
    /// <summary>Where checkpoints go (none when null).</summary>
    public string? CheckpointDir { get; init; }
    /// <summary>Whether to continue from the latest checkpoint in <see cref="CheckpointDir"/>.</summary>
    public bool Resume { get; init; }
    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Use only the first N training samples (quick runs).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Use only the first N test samples.</summary>
    public int? EvalLimit { get; init; }
    /// <summary>Intra-op threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Where Fashion-MNIST lives.</summary>
    public string DataFolder { get; init; } = FashionMnist.DefaultFolder;
    /// <summary>Whether to draw the progress bar.</summary>
    public bool Progress { get; init; } = true;
    /// <summary>Stop (as Ctrl+C does: checkpoint saved) once this many batches are trained in total; for preemptible machines and tests.</summary>
    public long? StopAfter { get; init; }
    /// <summary>Where to save the trained model's weights (<c>Module.save</c>), if anywhere.</summary>
    public string? SaveModel { get; init; }
    /// <summary>Where TensorBoard event files go (none when null).</summary>
    public string? TensorBoard { get; init; }
    /// <summary>Launch this many ranks with mpirun for data-parallel training (none when null).</summary>
    public int? Nproc { get; init; }
    /// <summary>mpirun's hostfile for <see cref="Nproc"/> ranks on several machines (default: all on this machine).</summary>
    public string? Hostfile { get; init; }
    /// <summary>Whether <see cref="Threads"/> was given on the command line.</summary>
    public bool ThreadsGiven { get; init; }
}

/// <summary>
/// Trains a small ResNet on Fashion-MNIST (Debian's dataset-fashion-mnist) with the Trainer.
/// <c>--recipe</c>, <c>--max-duration</c>, <c>--seed</c>, <c>--checkpoint-dir</c>, <c>--resume</c>;
/// Ctrl+C stops after the current batch and, with a checkpoint folder, saves a checkpoint.
/// </summary>
public static class Program
{
    /// <summary>Entry point: exit code 0 on success, 1 on a failure (reported in one line), 2 on a bad command line, 130 when interrupted.</summary>
    public static int Main(string[] args) => Failure.Run("ResNet", () => RunCommandLine(args));

    private static int RunCommandLine(string[] args)
    {
        SampleOptions? parsed;
        try
        {
            parsed = TryParse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"ResNet: {e.Message}");
            Console.Error.WriteLine("Run 'ResNet --help' for the options.");
            return 2;
        }
        if (parsed is not { } options) return SampleCommandLine.ShowHelp(CommandLine().Command);
        if (options.Nproc is { } nproc)
        {
            // Ctrl+C reaches the ranks too (same terminal process group); the launcher just waits for them.
            Console.CancelKeyPress += (_, e) => e.Cancel = true;
            return Launcher.Launch(Launcher.ChildArguments(args, options, nproc), nproc, options.Hostfile, Console.Error);
        }
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            Console.Error.WriteLine();
            Console.Error.WriteLine("ResNet: stopping after the current batch ...");
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var result = Run(options, Console.Out, cts.Token);
            return cts.IsCancellationRequested ? 130 : 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static SampleOptions Parse(string[] args) =>
        TryParse(args) ?? throw new ArgumentException("--help asks for the options, not a run");

    // Null when --help was asked.
    private static SampleOptions? TryParse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (command, common, o) = CommandLine();
        if (SampleCommandLine.Parse(command, args) is not { } parsed) return null;
        var options = new SampleOptions
        {
            Recipe = common.CheckedRecipe(parsed, Recipes.Names.ToArray()),
            MaxDuration = parsed.GetValue(common.MaxDuration),
            Seed = parsed.GetValue(common.Seed),
            CheckpointDir = parsed.GetValue(common.CheckpointDir),
            Resume = parsed.GetValue(common.Resume),
            BatchSize = parsed.GetValue(common.BatchSize),
            TrainLimit = parsed.GetValue(o.TrainLimit),
            EvalLimit = parsed.GetValue(o.EvalLimit),
            Threads = parsed.GetValue(common.Threads) ?? Environment.ProcessorCount,
            ThreadsGiven = parsed.GetValue(common.Threads) is not null,
            DataFolder = parsed.GetValue(common.Data) ?? FashionMnist.DefaultFolder,
            Progress = !parsed.GetValue(common.NoProgress),
            StopAfter = parsed.GetValue(common.StopAfter),
            SaveModel = parsed.GetValue(common.SaveModel),
            TensorBoard = parsed.GetValue(common.TensorBoard),
            Nproc = parsed.GetValue(o.Nproc),
            RecipeFile = parsed.GetValue(o.RecipeFile),
            Hostfile = parsed.GetValue(o.Hostfile),
        };
        if (options.MaxDuration.Unit == TimeUnit.Token)
            throw new ArgumentException($"--max-duration must be in ep, ba or sp: the ResNet sample counts no tokens, got '{options.MaxDuration}'");
        if (options.Hostfile is not null && options.Nproc is null) throw new ArgumentException("--hostfile needs --nproc");
        return options;
    }

    private sealed record ResNetOptions(Option<int?> TrainLimit, Option<int?> EvalLimit, Option<int?> Nproc, Option<string?> Hostfile, Option<string?> RecipeFile);

    // The sample's command line: the shared options and its own.
    private static (RootCommand Command, CommonOptions Common, ResNetOptions Own) CommandLine()
    {
        var common = new CommonOptions(string.Join(", ", Recipes.Names), Duration.Epochs(2), batchSize: 128);
        var own = new ResNetOptions(
            SampleCommandLine.OptionalPositiveInt("--train-limit", "use only the first N training images"),
            SampleCommandLine.OptionalPositiveInt("--eval-limit", "use only the first N test images"),
            SampleCommandLine.OptionalPositiveInt("--nproc", "data-parallel training on N ranks started by Open MPI's mpirun (this machine, or the machines of --hostfile); --batch-size is per rank. Equivalent: mpirun -np N dotnet ResNet.dll ... (docs/distributed.md)"),
            SampleCommandLine.Text("--hostfile", "mpirun's hostfile for --nproc ranks on several machines"),
            SampleCommandLine.Text("--recipe-file", "a JSON recipe instead of --recipe (the shipped ones are in recipes/ next to the sample)"));
        var command = new RootCommand("Trains a small ResNet on Fashion-MNIST with the Trainer and a recipe of efficient-training techniques. Ctrl+C stops after the current batch (and saves a checkpoint with --checkpoint-dir).");
        common.AddTo(command);
        command.Add(own.TrainLimit);
        command.Add(own.EvalLimit);
        command.Add(own.Nproc);
        command.Add(own.Hostfile);
        command.Add(own.RecipeFile);
        return (command, common, own);
    }

    /// <summary>
    /// The Trainer options of a run of the sample: <paramref name="model"/> trained on the given
    /// Fashion-MNIST tensors with the recipe, duration and seed of <paramref name="options"/>,
    /// evaluated every epoch on the test tensors (accuracy, top-2, loss). No callbacks; the study
    /// runner and <see cref="Run"/> add theirs.
    /// </summary>
    public static TrainerOptions CreateTrainerOptions(SampleOptions options, nn.Module<Tensor, Tensor> model, Tensor trainX, Tensor trainY, Tensor testX, Tensor testY)
    {
        var recipe = options.RecipeFile is { } file ? Recipes.FromFile(file) : Recipes.Create(options.Recipe);
        return new TrainerOptions
        {
            Model = model,
            Optimizer = recipe.Optimizer,
            TrainData = new TensorTrainingData(trainX, trainY, options.BatchSize, shuffle: true, seed: options.Seed, dropLast: true),
            EvalData = new TensorTrainingData(testX, testY, 500, shuffle: false),
            MaxDuration = options.MaxDuration,
            ScaleScheduleRatio = recipe.ScaleScheduleRatio,
            Schedulers = recipe.Schedulers,
            Algorithms = recipe.Algorithms,
            Seed = options.Seed,
            Metrics = new List<IMetric> { new Accuracy(), new Accuracy(topK: 2), new LossMetric() },
        };
    }

    /// <summary>Trains with <paramref name="options"/> and reports to <paramref name="log"/>.</summary>
    public static FitResult Run(SampleOptions options, TextWriter log, CancellationToken cancellationToken = default)
    {
        // A rank of a data-parallel run (started by --nproc or by hand with mpirun).
        var isRank = ProcessGroup.IsLaunchedByMpirun;
        var joined = isRank && !ProcessGroup.IsInitialized;
        if (joined) ProcessGroup.Initialize();
        var rank = isRank ? ProcessGroup.Rank : 0;
        if (rank != 0) log = TextWriter.Null; // only rank 0 reports
        set_num_threads(options.Threads);
        OutputPaths.CheckBeforeTraining(options.CheckpointDir, options.Resume, options.SaveModel, options.TensorBoard);

        var (trainX, trainY) = FashionMnist.Load(train: true, folder: options.DataFolder, limit: options.TrainLimit);
        var (testX, testY) = FashionMnist.Load(train: false, folder: options.DataFolder, limit: options.EvalLimit);
        manual_seed(options.Seed);
        using var model = new ResNet();
        var trainerOptions = CreateTrainerOptions(options, model, trainX, trainY, testX, testY);
        if (isRank)
        {
            trainerOptions.TrainData = new DistributedTrainingData(trainX, trainY, options.BatchSize, shuffle: true, seed: options.Seed);
            trainerOptions.EvalData = new DistributedTrainingData(testX, testY, 500, shuffle: false);
            trainerOptions.Distributed = new DistributedOptions();
        }
        // In a terminal a live display (Spectre.Console); otherwise plain lines, one per epoch and evaluation.
        var live = options.Progress && ReferenceEquals(log, Console.Out) && LiveProgress.Supported(AnsiConsole.Console) ? new LiveProgress() : null;
        if (live is not null) trainerOptions.Callbacks.Add(live);
        else if (options.Progress) trainerOptions.Callbacks.Add(new ProgressBar(log));
        var speed = new SpeedMonitor();
        trainerOptions.Callbacks.Add(speed);
        using var stopAfter = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.StopAfter is { } stop) trainerOptions.Callbacks.Add(new StopAfterBatches(stop, stopAfter));
        if (options.CheckpointDir is not null)
            trainerOptions.Checkpoint = new CheckpointOptions { Folder = options.CheckpointDir, Interval = Duration.Epochs(1), AutoResume = options.Resume };

        var ranks = isRank ? $", {ProcessGroup.WorldSize} data-parallel ranks of batch {options.BatchSize}" : "";
        log.WriteLine($"ResNet on Fashion-MNIST: recipe {(options.RecipeFile is { } recipeFile ? $"file '{recipeFile}'" : options.Recipe)}, {trainX.shape[0]} training images, max duration {options.MaxDuration}, seed {options.Seed}, {options.Threads} threads{ranks}");
        var watch = Stopwatch.StartNew();
        if (options.TensorBoard is { } tensorBoard) trainerOptions.Callbacks.Add(new TensorBoardLogger(tensorBoard));
        trainerOptions.Logger = new SampleLogger(log);
        var trainer = new Trainer(trainerOptions);
        var result = live is null
            ? trainer.Fit(stopAfter.Token)
            : LiveProgress.Run(AnsiConsole.Console, "ResNet", live, () => trainer.Fit(stopAfter.Token), r => r.Metrics);
        var metrics = result.Metrics.Count > 0 ? result.Metrics : trainer.Evaluate();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {result.StopReason}; {result.Timestamp.Batch} batches, accuracy {metrics["accuracy"]:P2}, top-2 {metrics["top2_accuracy"]:P2}, eval loss {metrics["loss"]:0.0000}, wall time {watch.Elapsed.TotalSeconds:0.0} s ({speed.SamplesPerSecond:0} samples/s)"));
        if (result.StopReason == "cancelled" && options.CheckpointDir is not null)
            log.WriteLine($"interrupted: checkpoint saved in '{options.CheckpointDir}'; rerun with --checkpoint-dir {options.CheckpointDir} --resume to continue");
        if (options.SaveModel is { } file)
        {
            ModelFile.Save(model, file);
            log.WriteLine($"model saved to '{file}'");
        }
        trainX.Dispose();
        trainY.Dispose();
        testX.Dispose();
        testY.Dispose();
        if (joined) ProcessGroup.Shutdown();
        return result with { Metrics = metrics };
    }
}
