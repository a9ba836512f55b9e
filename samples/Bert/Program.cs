using System;
using System.Collections.Generic;
using System.CommandLine;
using Spectre.Console;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Efficient.Samples;
using TorchSharp;
using Efficient.Training;
using Efficient.Training.Datasets;
using Efficient.Training.Evaluation;
using Efficient.Training.Models;
using Efficient.Training.Schedulers;
using static TorchSharp.torch;

namespace BertSample;

/// <summary>The sample's command-line options.</summary>
public sealed record SampleOptions
{
    /// <summary>The pre-training recipe.</summary>
    public string Recipe { get; init; } = "baseline";
    /// <summary>A recipe file to pre-train with instead of <see cref="Recipe"/> (JSON, <see cref="Efficient.Training.RecipeFile"/>).</summary>
    public string? RecipeFile { get; init; }
    /// <summary>How long to pre-train.</summary>
    public Duration MaxDuration { get; init; } = Duration.Epochs(2);
    /// <summary>The run's seed.</summary>
    public long Seed { get; init; } = 42;
    /// <summary>Where checkpoints go (none when null).</summary>
    public string? CheckpointDir { get; init; }
    /// <summary>Whether to continue from the latest checkpoint in <see cref="CheckpointDir"/>.</summary>
    public bool Resume { get; init; }
    /// <summary>Sequences per batch.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Tokens per sequence.</summary>
    public int SequenceLength { get; init; } = 64;
    /// <summary>WordPiece vocabulary size.</summary>
    public int VocabSize { get; init; } = 2000;
    /// <summary>Use only N quotations, spread evenly over the files (quick runs).</summary>
    public int? CorpusLimit { get; init; }
    /// <summary>At most N validation sequences.</summary>
    public int EvalLimit { get; init; } = 512;
    /// <summary>How often to evaluate during pre-training.</summary>
    public Duration EvalInterval { get; init; } = Duration.Epochs(1);
    /// <summary>Intra-op threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Where the fortune files live.</summary>
    public string DataFolder { get; init; } = Fortunes.DefaultFolder;
    /// <summary>Where the vocabulary is cached (and the study writes its results).</summary>
    public string WorkDir { get; init; } = Program.DefaultWorkDir;
    /// <summary>Whether to draw the progress bar.</summary>
    public bool Progress { get; init; } = true;
    /// <summary>Stop (as Ctrl+C does: checkpoint saved) once this many batches are trained in total.</summary>
    public long? StopAfter { get; init; }
    /// <summary>Where to save the pre-trained encoder's weights, if anywhere.</summary>
    public string? SaveModel { get; init; }
    /// <summary>Where TensorBoard event files go (none when null).</summary>
    public string? TensorBoard { get; init; }
    /// <summary>Whether to fine-tune a classifier after pre-training (or on <see cref="Encoder"/>).</summary>
    public bool Finetune { get; init; }
    /// <summary>A pre-trained encoder (saved with <c>--save-model</c> by the same recipe) to fine-tune instead of pre-training.</summary>
    public string? Encoder { get; init; }
    /// <summary>How long to fine-tune.</summary>
    public Duration FinetuneDuration { get; init; } = Duration.Epochs(3);
    /// <summary>The fortune files the classifier tells apart.</summary>
    public IReadOnlyList<string> Categories { get; init; } = ClassificationSplits.DefaultCategories;
    /// <summary>Whether to run the baseline-vs-recipe study instead of one run.</summary>
    public bool Study { get; init; }
    /// <summary>The study's seeds.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = new long[] { 0, 1, 2 };
    /// <summary>The study's budgets for the baseline (its loss-vs-time curve); <see cref="MaxDuration"/> alone when null.</summary>
    public IReadOnlyList<Duration>? BaselineBudgets { get; init; }
    /// <summary>The study's budgets for the recipe; <see cref="MaxDuration"/> alone when null.</summary>
    public IReadOnlyList<Duration>? RecipeBudgets { get; init; }
}

/// <summary>
/// Pre-trains a small BERT-style encoder with masked-LM on Debian's fortunes corpus (baseline or
/// recipe), optionally fine-tunes it to tell which fortune file a quotation comes from, or runs the
/// baseline-vs-recipe study. Ctrl+C stops after the current batch and, with a checkpoint folder, saves a checkpoint.
/// </summary>
public static class Program
{
    /// <summary>The default work folder (vocabulary cache, study results).</summary>
    public static readonly string DefaultWorkDir = Path.Combine(Path.GetTempPath(), "efficient-training-bert");

    /// <summary>Entry point: exit code 0 on success, 1 on a failure (reported in one line), 2 on a bad command line, 130 when interrupted.</summary>
    public static int Main(string[] args) => Failure.Run("Bert", () => RunCommandLine(args));

    private static int RunCommandLine(string[] args)
    {
        SampleOptions? parsed;
        try
        {
            parsed = TryParse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"Bert: {e.Message}");
            Console.Error.WriteLine("Run 'Bert --help' for the options.");
            return 2;
        }
        if (parsed is not { } options) return SampleCommandLine.ShowHelp(CommandLine().Command);
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            Console.Error.WriteLine();
            Console.Error.WriteLine("Bert: stopping after the current batch ...");
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (options.Study) RunStudy(options, Console.Out);
            else Run(options, Console.Out, cts.Token);
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
        var (command, common, b) = CommandLine();
        if (SampleCommandLine.Parse(command, args) is not { } parsed) return null;
        var o = new SampleOptions
        {
            Recipe = common.CheckedRecipe(parsed, Recipes.Names.ToArray()),
            MaxDuration = parsed.GetValue(common.MaxDuration),
            Seed = parsed.GetValue(common.Seed),
            CheckpointDir = parsed.GetValue(common.CheckpointDir),
            Resume = parsed.GetValue(common.Resume),
            BatchSize = parsed.GetValue(common.BatchSize),
            SequenceLength = parsed.GetValue(b.SequenceLength),
            VocabSize = parsed.GetValue(b.VocabSize),
            CorpusLimit = parsed.GetValue(b.CorpusLimit),
            EvalLimit = parsed.GetValue(b.EvalLimit),
            EvalInterval = parsed.GetValue(b.EvalInterval),
            Threads = parsed.GetValue(common.Threads) ?? Environment.ProcessorCount,
            DataFolder = parsed.GetValue(common.Data) ?? Fortunes.DefaultFolder,
            WorkDir = parsed.GetValue(b.WorkDir) ?? DefaultWorkDir,
            Progress = !parsed.GetValue(common.NoProgress),
            StopAfter = parsed.GetValue(common.StopAfter),
            SaveModel = parsed.GetValue(common.SaveModel),
            TensorBoard = parsed.GetValue(common.TensorBoard),
            Finetune = parsed.GetValue(b.Finetune),
            Encoder = parsed.GetValue(b.Encoder),
            FinetuneDuration = parsed.GetValue(b.FinetuneDuration),
            Categories = parsed.GetValue(b.Categories) is { Length: > 0 } categories ? categories : ClassificationSplits.DefaultCategories,
            Study = parsed.GetValue(b.Study),
            Seeds = parsed.GetValue(b.Seeds) is { Length: > 0 } seeds ? seeds : new long[] { 0, 1, 2 },
            RecipeFile = parsed.GetValue(b.RecipeFile),
            // System.CommandLine gives an absent collection option as an empty collection.
            BaselineBudgets = parsed.GetValue(b.BaselineBudgets) is { Count: > 0 } baseline ? baseline : null,
            RecipeBudgets = parsed.GetValue(b.RecipeBudgets) is { Count: > 0 } recipe ? recipe : null,
        };
        if (o.SequenceLength < 8) throw new ArgumentException($"--seq-length must be at least 8, got '{o.SequenceLength}'");
        if (o.VocabSize <= 100) throw new ArgumentException($"--vocab-size must be more than 100, got '{o.VocabSize}'");
        if (o.Encoder is not null && !o.Finetune) throw new ArgumentException("--encoder needs --finetune");
        if (o.Study && (o.Finetune || o.CheckpointDir is not null || o.RecipeFile is not null)) throw new ArgumentException("--study cannot be combined with --finetune, --checkpoint-dir or --recipe-file");
        if (!o.Study && (o.BaselineBudgets ?? o.RecipeBudgets) is not null) throw new ArgumentException("--baseline-budgets and --recipe-budgets need --study");
        return o;
    }

    private sealed record BertOptions(
        Option<int> SequenceLength, Option<int> VocabSize, Option<int?> CorpusLimit, Option<int> EvalLimit, Option<Duration> EvalInterval,
        Option<string?> WorkDir, Option<bool> Finetune, Option<string?> Encoder, Option<Duration> FinetuneDuration, Option<string[]?> Categories,
        Option<bool> Study, Option<long[]?> Seeds, Option<List<Duration>?> BaselineBudgets, Option<List<Duration>?> RecipeBudgets, Option<string?> RecipeFile);

    // The sample's command line: the shared options and its own.
    private static (RootCommand Command, CommonOptions Common, BertOptions Own) CommandLine()
    {
        var common = new CommonOptions(string.Join(", ", Recipes.Names), Duration.Epochs(2), batchSize: 64);
        Option<List<Duration>?> Budgets(string name, string description) => new(name)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                var budgets = new List<Duration>();
                foreach (var part in text.Split(','))
                    if (SampleCommandLine.ParseDuration(r, name, part) is { } d) budgets.Add(d);
                    else return null;
                return budgets;
            },
        };
        var own = new BertOptions(
            SampleCommandLine.PositiveInt("--seq-length", "tokens per sequence (at least 8)", 64),
            SampleCommandLine.PositiveInt("--vocab-size", "WordPiece vocabulary size (more than 100)", 2000),
            SampleCommandLine.OptionalPositiveInt("--corpus-limit", "use only the first N quotations"),
            SampleCommandLine.PositiveInt("--eval-limit", "validation sequences", 512),
            SampleCommandLine.PositiveDuration("--eval-interval", "how often to evaluate", Duration.Epochs(1)),
            SampleCommandLine.Text("--work-dir", "vocabulary cache and study results (default $TMPDIR/efficient-training-bert)"),
            SampleCommandLine.Flag("--finetune", "after pre-training (or from --encoder), fine-tune to tell which fortune file a quotation comes from"),
            SampleCommandLine.Text("--encoder", "a pre-trained encoder (saved with --save-model by the same recipe) to fine-tune"),
            SampleCommandLine.PositiveDuration("--finetune-duration", "fine-tuning length", Duration.Epochs(3)),
            new Option<string[]?>("--categories")
            {
                Description = "the fortune files to tell apart, comma-separated (at least two)",
                CustomParser = r =>
                {
                    var c = (r.Tokens.Count > 0 ? r.Tokens[0].Value : "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (c.Length >= 2 && c.Distinct().Count() == c.Length) return c;
                    r.AddError("--categories needs at least two distinct fortune files, comma-separated");
                    return null;
                },
            },
            SampleCommandLine.Flag("--study", "run the baseline-vs-recipe study"),
            new Option<long[]?>("--seeds")
            {
                Description = "the study's seeds, comma-separated (default 0,1,2)",
                CustomParser = r =>
                {
                    var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                    var seeds = new List<long>();
                    foreach (var part in text.Split(','))
                    {
                        if (!long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                        {
                            r.AddError($"--seeds must be comma-separated integers, got '{text}'");
                            return null;
                        }
                        seeds.Add(v);
                    }
                    return seeds.ToArray();
                },
            },
            Budgets("--baseline-budgets", "the study's budgets of the baseline, comma-separated (default: --max-duration)"),
            Budgets("--recipe-budgets", "the study's budgets of the recipe, comma-separated (default: --max-duration)"),
            SampleCommandLine.Text("--recipe-file", "a JSON recipe instead of --recipe (the shipped ones are in recipes/ next to the sample)"));
        var command = new RootCommand("Pre-trains a small BERT-style encoder with masked-LM on Debian's fortunes corpus (baseline or recipe), optionally fine-tunes it, or runs the baseline-vs-recipe study. Ctrl+C stops after the current batch (and saves a checkpoint with --checkpoint-dir).");
        common.AddTo(command);
        foreach (var option in new Option[] { own.SequenceLength, own.VocabSize, own.CorpusLimit, own.EvalLimit, own.EvalInterval, own.WorkDir, own.Finetune, own.Encoder, own.FinetuneDuration, own.Categories, own.Study, own.Seeds, own.BaselineBudgets, own.RecipeBudgets, own.RecipeFile })
            command.Add(option);
        return (command, common, own);
    }

    /// <summary>The encoder the sample pre-trains: hidden 128, 2 layers, 4 heads, feed-forward 512 (sized for a 2-core CPU).</summary>
    public static BertEncoderOptions EncoderOptions(int vocabSize, int sequenceLength) => new()
    {
        VocabSize = vocabSize,
        HiddenSize = 128,
        Layers = 2,
        Heads = 4,
        IntermediateSize = 512,
        MaxLength = sequenceLength,
    };

    /// <summary>
    /// The Trainer options of one pre-training run of <paramref name="recipe"/> on <paramref name="corpus"/>
    /// for <paramref name="maxDuration"/> with <paramref name="seed"/> (model built here, with the seed):
    /// masked-LM loss, validation loss and perplexity every <see cref="SampleOptions.EvalInterval"/>.
    /// Bench code and the study build runs with it.
    /// </summary>
    public static TrainerOptions CreateTrainerOptions(SampleOptions options, PretrainingCorpus corpus, string recipe, Duration maxDuration, long seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corpus);
        manual_seed(seed);
        var model = new BertEncoder(EncoderOptions(corpus.Tokenizer.VocabSize, options.SequenceLength));
        var r = options.RecipeFile is { } file ? Recipes.FromFile(file) : Recipes.Create(recipe);
        return new TrainerOptions
        {
            Model = model,
            Optimizer = r.Optimizer,
            TrainData = new MaskedLanguageModelData(corpus.Train, corpus.Tokenizer, options.BatchSize, seed),
            // The validation masks are fixed (seed 0), the same for every run and seed.
            EvalData = new MaskedLanguageModelData(corpus.Validation, corpus.Tokenizer, Math.Min(256, (int)corpus.Validation.shape[0]), seed: 0, shuffle: false),
            EvalInterval = options.EvalInterval,
            MaxDuration = maxDuration,
            ScaleScheduleRatio = r.ScaleScheduleRatio,
            Schedulers = r.Schedulers,
            Algorithms = r.Algorithms,
            LossFunction = MaskedLanguageModelData.Loss,
            Seed = seed,
            Metrics = new List<IMetric> { new LossMetric(), new Perplexity() },
        };
    }

    /// <summary>Loads the corpus as <paramref name="options"/> say (vocabulary cached in the work folder).</summary>
    public static PretrainingCorpus LoadCorpus(SampleOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        var corpus = PretrainingCorpus.Load(options.DataFolder, options.WorkDir, options.VocabSize, options.SequenceLength, options.CorpusLimit, options.EvalLimit);
        log.WriteLine($"fortunes: {corpus.Quotations} quotations, vocabulary of {corpus.Tokenizer.VocabSize} pieces {(corpus.VocabCached ? "read from" : "trained and saved to")} '{corpus.VocabFile}', "
            + $"{corpus.Train.shape[0]} training and {corpus.Validation.shape[0]} validation sequences of {options.SequenceLength} tokens");
        return corpus;
    }

    /// <summary>Pre-trains (and fine-tunes with <c>--finetune</c>) as <paramref name="options"/> say, reporting to <paramref name="log"/>; returns the last phase's result.</summary>
    public static FitResult Run(SampleOptions options, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        set_num_threads(options.Threads);
        OutputPaths.CheckBeforeTraining(options.CheckpointDir, options.Resume, options.SaveModel, options.TensorBoard);
        using var corpus = LoadCorpus(options, log);
        BertEncoder encoder;
        FitResult? pretraining = null;
        if (options.Encoder is { } file)
        {
            manual_seed(options.Seed);
            encoder = new BertEncoder(EncoderOptions(corpus.Tokenizer.VocabSize, options.SequenceLength));
            (options.RecipeFile is { } recipeFile ? Recipes.FromFile(recipeFile) : Recipes.Create(options.Recipe)).PrepareForLoad(encoder);
            if (!File.Exists(file)) throw new FileNotFoundException($"The encoder file '{file}' does not exist.", file);
            ModelFile.Load(encoder, file);
            log.WriteLine($"encoder loaded from '{file}' (recipe {options.Recipe})");
        }
        else
        {
            (pretraining, encoder) = Pretrain(options, corpus, log, cancellationToken);
            if (pretraining.StopReason == "cancelled" || !options.Finetune) return pretraining;
        }
        return FineTune(options, corpus, encoder, log, options.Finetune && pretraining is not null ? null : options.CheckpointDir, cancellationToken);
    }

    private static (FitResult Result, BertEncoder Encoder) Pretrain(SampleOptions options, PretrainingCorpus corpus, TextWriter log, CancellationToken cancellationToken)
    {
        var trainerOptions = CreateTrainerOptions(options, corpus, options.Recipe, options.MaxDuration, options.Seed);
        var model = (BertEncoder)trainerOptions.Model!;
        // In a terminal a live display (Spectre.Console); otherwise plain lines, one per epoch and evaluation.
        var live = options.Progress && ReferenceEquals(log, Console.Out) && LiveProgress.Supported(AnsiConsole.Console) ? new LiveProgress() : null;
        if (live is not null) trainerOptions.Callbacks.Add(live);
        else if (options.Progress) trainerOptions.Callbacks.Add(new Efficient.Training.ProgressBar(log));
        var speed = new SpeedMonitor();
        trainerOptions.Callbacks.Add(speed);
        using var stopAfter = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.StopAfter is { } stop) trainerOptions.Callbacks.Add(new StopAfterBatches(stop, stopAfter));
        if (options.CheckpointDir is not null)
            trainerOptions.Checkpoint = new CheckpointOptions { Folder = options.CheckpointDir, Interval = Duration.Epochs(1), AutoResume = options.Resume };

        log.WriteLine($"BERT masked-LM pre-training: recipe {options.Recipe}, max duration {options.MaxDuration}, seed {options.Seed}, {options.Threads} threads");
        var watch = Stopwatch.StartNew();
        if (options.TensorBoard is { } tensorBoard) trainerOptions.Callbacks.Add(new TensorBoardLogger(Path.Combine(tensorBoard, "pretrain")));
        trainerOptions.Logger = new SampleLogger(log);
        var trainer = new Trainer(trainerOptions);
        var result = live is null
            ? trainer.Fit(stopAfter.Token)
            : LiveProgress.Run(AnsiConsole.Console, "BERT", live, () => trainer.Fit(stopAfter.Token), r => r.Metrics);
        var metrics = result.Metrics.ContainsKey("loss") ? result.Metrics : trainer.Evaluate();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pre-training done: {result.StopReason}; {result.Timestamp.Batch} batches, validation MLM loss {metrics["loss"]:0.0000}, perplexity {metrics["perplexity"]:0.00}, wall time {watch.Elapsed.TotalSeconds:0.0} s ({speed.TokensPerSecond:0} tokens/s)"));
        if (result.StopReason == "cancelled" && options.CheckpointDir is not null)
            log.WriteLine($"interrupted: checkpoint saved in '{options.CheckpointDir}'; rerun with --checkpoint-dir {options.CheckpointDir} --resume to continue");
        if (options.SaveModel is { } file)
        {
            ModelFile.Save(model, file);
            log.WriteLine($"encoder saved to '{file}'");
        }
        return (result with { Metrics = metrics }, model);
    }

    private static FitResult FineTune(SampleOptions options, PretrainingCorpus corpus, BertEncoder encoder, TextWriter log, string? checkpointDir, CancellationToken cancellationToken)
    {
        using var splits = ClassificationSplits.Load(options.DataFolder, options.Categories, corpus.Tokenizer, options.SequenceLength, options.Seed, options.CorpusLimit);
        manual_seed(options.Seed);
        using var model = new BertClassifier(encoder, options.Categories.Count, corpus.Tokenizer.PadId);
        var trainerOptions = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.AdamW(p, lr: 3e-4, weight_decay: 0.01),
            Schedulers = (opt, state) => new[] { new LinearScheduler(t_warmup: Duration.Parse("0.1dur")).Attach(opt, state) },
            TrainData = new TensorTrainingData(splits.TrainX, splits.TrainY, Math.Min(options.BatchSize, (int)splits.TrainX.shape[0]), shuffle: true, seed: options.Seed, dropLast: true),
            EvalData = new TensorTrainingData(splits.ValidationX, splits.ValidationY, 256, shuffle: false),
            MaxDuration = options.FinetuneDuration,
            Seed = options.Seed,
            Metrics = new List<IMetric> { new Accuracy(), new LossMetric() },
        };
        // In a terminal a live display (Spectre.Console); otherwise plain lines, one per epoch and evaluation.
        var live = options.Progress && ReferenceEquals(log, Console.Out) && LiveProgress.Supported(AnsiConsole.Console) ? new LiveProgress() : null;
        if (live is not null) trainerOptions.Callbacks.Add(live);
        else if (options.Progress) trainerOptions.Callbacks.Add(new Efficient.Training.ProgressBar(log));
        using var stopAfter = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.StopAfter is { } stop) trainerOptions.Callbacks.Add(new StopAfterBatches(stop, stopAfter));
        if (checkpointDir is not null)
            trainerOptions.Checkpoint = new CheckpointOptions { Folder = checkpointDir, Interval = Duration.Epochs(1), AutoResume = options.Resume };
        log.WriteLine($"fine-tuning: which of {string.Join(", ", options.Categories)}; {splits.TrainX.shape[0]} training, {splits.ValidationX.shape[0]} validation, {splits.TestX.shape[0]} test quotations; max duration {options.FinetuneDuration}");
        var watch = Stopwatch.StartNew();
        if (options.TensorBoard is { } tensorBoardFolder) trainerOptions.Callbacks.Add(new TensorBoardLogger(Path.Combine(tensorBoardFolder, "finetune")));
        trainerOptions.Logger = new SampleLogger(log);
        var trainer = new Trainer(trainerOptions);
        var result = live is null
            ? trainer.Fit(stopAfter.Token)
            : LiveProgress.Run(AnsiConsole.Console, "BERT", live, () => trainer.Fit(stopAfter.Token), r => r.Metrics);
        var validation = result.Metrics.ContainsKey("accuracy") ? result.Metrics : trainer.Evaluate();
        var test = trainer.Evaluate(new TensorTrainingData(splits.TestX, splits.TestY, 256, shuffle: false));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fine-tuning done: {result.StopReason}; {result.Timestamp.Batch} batches, validation accuracy {validation["accuracy"]:P2}, test accuracy {test["accuracy"]:P2} (chance {1.0 / options.Categories.Count:P0}), wall time {watch.Elapsed.TotalSeconds:0.0} s"));
        if (result.StopReason == "cancelled" && checkpointDir is not null)
            log.WriteLine($"interrupted: checkpoint saved in '{checkpointDir}'; rerun with --checkpoint-dir {checkpointDir} --resume to continue");
        return result with { Metrics = test.ToDictionary(p => "test_" + p.Key, p => p.Value).Concat(validation).ToDictionary(p => p.Key, p => p.Value) };
    }

    /// <summary>
    /// The study options comparing <c>baseline</c> and <c>recipe</c> on validation MLM loss, each at its
    /// budgets (<see cref="SampleOptions.BaselineBudgets"/>, <see cref="SampleOptions.RecipeBudgets"/>; by
    /// default <see cref="SampleOptions.MaxDuration"/>; the recipe's scale-schedule ratio shortens its runs) with each seed.
    /// </summary>
    public static StudyOptions CreateStudy(SampleOptions options, PretrainingCorpus corpus, TextWriter? log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corpus);
        return new StudyOptions
        {
            Recipes = Recipes.Names.ToList(),
            Seeds = options.Seeds.ToList(),
            DefaultBudget = options.MaxDuration,
            Budgets = new Dictionary<string, IList<Duration>>
            {
                ["baseline"] = (options.BaselineBudgets ?? new[] { options.MaxDuration }).ToList(),
                ["recipe"] = (options.RecipeBudgets ?? new[] { options.MaxDuration }).ToList(),
            },
            Metric = "loss",
            HigherIsBetter = false,
            CreateRun = spec => CreateTrainerOptions(options, corpus, spec.Recipe, spec.Budget, spec.Seed),
            Log = log,
        };
    }

    /// <summary>Runs the study and writes its results (CSV, JSON, Markdown, SVG) to <c>WORK-DIR/study</c>.</summary>
    public static StudyResult RunStudy(SampleOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        set_num_threads(options.Threads);
        using var corpus = LoadCorpus(options, log);
        var result = Efficient.Training.Evaluation.Study.Run(CreateStudy(options, corpus, log));
        var folder = Path.Combine(options.WorkDir, "study");
        foreach (var f in result.Write(folder).Concat(Efficient.Training.Plotting.StudyPlots.Write(result, folder))) log.WriteLine($"wrote '{f}'");
        log.WriteLine(result.ToMarkdown());
        return result;
    }
}
