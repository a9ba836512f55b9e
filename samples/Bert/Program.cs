using System;
using System.Collections.Generic;
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

    private const string Usage = """
        usage: Bert [--recipe NAME] [--max-duration D] [--seed N] [--checkpoint-dir DIR] [--resume]
                    [--batch-size N] [--seq-length N] [--vocab-size N] [--corpus-limit N] [--eval-limit N]
                    [--eval-interval D] [--threads N] [--data DIR] [--work-dir DIR] [--no-progress]
                    [--stop-after N] [--save-model FILE] [--help]
                    [--finetune [--encoder FILE] [--finetune-duration D] [--categories a,b,...]]
                    [--study [--seeds 0,1,2] [--baseline-budgets D,D,...] [--recipe-budgets D,...]]
          --recipe        baseline (default), recipe
          --max-duration  pre-training length, e.g. 2ep (default), 300ba, 1e5sp
          --work-dir      vocabulary cache and study results (default $TMPDIR/efficient-training-bert)
          --baseline-budgets, --recipe-budgets
                          the study's budgets per recipe (default: --max-duration)
        """;

    /// <summary>Entry point: exit code 0 on success, 1 on a failure (reported in one line), 2 on a bad command line, 130 when interrupted.</summary>
    public static int Main(string[] args) => Failure.Run("Bert", () => RunCommandLine(args));

    private static int RunCommandLine(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        SampleOptions options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"Bert: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
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
    public static SampleOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new SampleOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            int PositiveInt(string name)
            {
                var v = Next();
                return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer, got '{v}'");
            }
            Duration Positive(string name, string d) =>
                Duration.TryParse(d, out var duration) && duration.Unit != TimeUnit.Duration && duration.Value > 0
                    ? duration
                    : throw new ArgumentException($"{name} must be a positive duration like 2ep, 300ba or 1e5sp, got '{d}'");
            Duration PositiveDuration(string name) => Positive(name, Next());
            List<Duration> Budgets(string name) => Next().Split(',').Select(d => Positive(name, d)).ToList();
            switch (args[i])
            {
                case "--recipe": o = o with { Recipe = Next() }; break;
                case "--max-duration": o = o with { MaxDuration = PositiveDuration("--max-duration") }; break;
                case "--seed":
                    var s = Next();
                    o = o with { Seed = long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : throw new ArgumentException($"--seed must be an integer, got '{s}'") };
                    break;
                case "--checkpoint-dir": o = o with { CheckpointDir = Next() }; break;
                case "--resume": o = o with { Resume = true }; break;
                case "--batch-size": o = o with { BatchSize = PositiveInt("--batch-size") }; break;
                case "--seq-length": o = o with { SequenceLength = PositiveInt("--seq-length") }; break;
                case "--vocab-size": o = o with { VocabSize = PositiveInt("--vocab-size") }; break;
                case "--corpus-limit": o = o with { CorpusLimit = PositiveInt("--corpus-limit") }; break;
                case "--eval-limit": o = o with { EvalLimit = PositiveInt("--eval-limit") }; break;
                case "--eval-interval": o = o with { EvalInterval = PositiveDuration("--eval-interval") }; break;
                case "--threads": o = o with { Threads = PositiveInt("--threads") }; break;
                case "--data": o = o with { DataFolder = Next() }; break;
                case "--work-dir": o = o with { WorkDir = Next() }; break;
                case "--no-progress": o = o with { Progress = false }; break;
                case "--stop-after": o = o with { StopAfter = PositiveInt("--stop-after") }; break;
                case "--save-model": o = o with { SaveModel = Next() }; break;
                case "--finetune": o = o with { Finetune = true }; break;
                case "--encoder": o = o with { Encoder = Next() }; break;
                case "--finetune-duration": o = o with { FinetuneDuration = PositiveDuration("--finetune-duration") }; break;
                case "--categories":
                    var c = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (c.Length < 2 || c.Distinct().Count() != c.Length) throw new ArgumentException("--categories needs at least two distinct fortune files, comma-separated");
                    o = o with { Categories = c };
                    break;
                case "--study": o = o with { Study = true }; break;
                case "--baseline-budgets": o = o with { BaselineBudgets = Budgets("--baseline-budgets") }; break;
                case "--recipe-budgets": o = o with { RecipeBudgets = Budgets("--recipe-budgets") }; break;
                case "--seeds":
                    var list = Next();
                    var seeds = new List<long>();
                    foreach (var part in list.Split(','))
                        seeds.Add(long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"--seeds must be comma-separated integers, got '{list}'"));
                    o = o with { Seeds = seeds };
                    break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (!Recipes.Names.Contains(o.Recipe)) throw new ArgumentException($"unknown recipe '{o.Recipe}'; available: {string.Join(", ", Recipes.Names)}");
        if (o.Resume && o.CheckpointDir is null) throw new ArgumentException("--resume needs --checkpoint-dir");
        if (o.SequenceLength < 8) throw new ArgumentException($"--seq-length must be at least 8, got '{o.SequenceLength}'");
        if (o.VocabSize <= 100) throw new ArgumentException($"--vocab-size must be more than 100, got '{o.VocabSize}'");
        if (o.Encoder is not null && !o.Finetune) throw new ArgumentException("--encoder needs --finetune");
        if (o.Study && (o.Finetune || o.CheckpointDir is not null)) throw new ArgumentException("--study cannot be combined with --finetune or --checkpoint-dir");
        if (!o.Study && (o.BaselineBudgets ?? o.RecipeBudgets) is not null) throw new ArgumentException("--baseline-budgets and --recipe-budgets need --study");
        return o;
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
        var r = Recipes.Create(recipe);
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
        OutputPaths.CheckBeforeTraining(options.CheckpointDir, options.Resume, options.SaveModel);
        using var corpus = LoadCorpus(options, log);
        BertEncoder encoder;
        FitResult? pretraining = null;
        if (options.Encoder is { } file)
        {
            manual_seed(options.Seed);
            encoder = new BertEncoder(EncoderOptions(corpus.Tokenizer.VocabSize, options.SequenceLength));
            Recipes.Create(options.Recipe).PrepareForLoad(encoder);
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
        if (options.Progress) trainerOptions.Callbacks.Add(new ProgressBar(log));
        var speed = new SpeedMonitor();
        trainerOptions.Callbacks.Add(speed);
        using var stopAfter = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.StopAfter is { } stop) trainerOptions.Callbacks.Add(new StopAfterBatches(stop, stopAfter));
        if (options.CheckpointDir is not null)
            trainerOptions.Checkpoint = new CheckpointOptions { Folder = options.CheckpointDir, Interval = Duration.Epochs(1), AutoResume = options.Resume };
        trainerOptions.Callbacks.Add(new ResumeReporter(log));

        log.WriteLine($"BERT masked-LM pre-training: recipe {options.Recipe}, max duration {options.MaxDuration}, seed {options.Seed}, {options.Threads} threads");
        var watch = Stopwatch.StartNew();
        var trainer = new Trainer(trainerOptions);
        var result = trainer.Fit(stopAfter.Token);
        foreach (var line in result.SurgeryReport) log.WriteLine(line);
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
        if (options.Progress) trainerOptions.Callbacks.Add(new ProgressBar(log));
        using var stopAfter = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.StopAfter is { } stop) trainerOptions.Callbacks.Add(new StopAfterBatches(stop, stopAfter));
        if (checkpointDir is not null)
            trainerOptions.Checkpoint = new CheckpointOptions { Folder = checkpointDir, Interval = Duration.Epochs(1), AutoResume = options.Resume };
        trainerOptions.Callbacks.Add(new ResumeReporter(log));
        log.WriteLine($"fine-tuning: which of {string.Join(", ", options.Categories)}; {splits.TrainX.shape[0]} training, {splits.ValidationX.shape[0]} validation, {splits.TestX.shape[0]} test quotations; max duration {options.FinetuneDuration}");
        var watch = Stopwatch.StartNew();
        var trainer = new Trainer(trainerOptions);
        var result = trainer.Fit(stopAfter.Token);
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
        foreach (var f in result.Write(folder)) log.WriteLine($"wrote '{f}'");
        log.WriteLine(result.ToMarkdown());
        return result;
    }
}
